"""The owner's webhook settings and delivery log of one instance."""
