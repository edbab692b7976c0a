"""The plans' names and default quotas: values the models (the `membership` enum) and the config read, with no rule."""
import enum


class PlanName(enum.StrEnum):
    """The plans, in order (the `membership` enum of the database)."""

    FREE = "free"
    STARTER = "starter"
    PRO = "pro"


PLAN_NAMES = tuple(PlanName)
DEFAULT_PLANS = {
    PlanName.FREE.value: {"responses": 10, "instances": 1},
    PlanName.STARTER.value: {"responses": 100, "instances": 5},
    PlanName.PRO.value: {"responses": 1000, "instances": 50},
}
