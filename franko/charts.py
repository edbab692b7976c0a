"""Server-side charts: one pygal style and one way to render a chart as pure SVG (no script, so the CSP holds)."""
from pygal.style import Style

# Bootstrap's colours: blue (#0d6efd), a dark grey (#495057) and a dark red (#b02a37), all above 4.5:1 on white.
CHART_STYLE = Style(
    background="transparent", plot_background="transparent",
    foreground="#495057", foreground_strong="#212529", foreground_subtle="#dee2e6",
    colors=("#0d6efd", "#495057", "#b02a37"), font_family="system-ui, -apple-system, 'Segoe UI', sans-serif",
    label_font_size=11, major_label_font_size=11, title_font_size=14, legend_font_size=12,
)


def render_svg(chart) -> str:
    """The chart as standalone SVG, without the inline <script> pygal always writes (its tooltips)."""
    chart.add_xml_filter(_without_scripts)
    return chart.render(is_unicode=True)


def _without_scripts(root):
    for parent in list(root.iter()):
        for child in list(parent):
            if isinstance(child.tag, str) and child.tag.rsplit("}", 1)[-1] == "script":
                parent.remove(child)
    return root
