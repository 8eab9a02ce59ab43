"""The SVG charts: well-formed, escaped, the Pareto's bars, cumulative line and 80 % line in place."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

from aftersales.reports import report_labels
from aftersales.reports.charts import bar_chart, hbar_chart, line_chart, pareto_chart

NS = {"s": "http://www.w3.org/2000/svg"}
ZH = report_labels("zh_Hans")


def _pareto(names: list[str]) -> ET.Element:
    svg = pareto_chart(
        ZH, names, [50, 30, 20][: len(names)], [Decimal("0.5"), Decimal("0.8"), Decimal("1")][: len(names)],
        title="故障帕累托图", x_label="故障现象", y_label="故障数", y2_label="累计占比",
        line_label="80 % 线", bar_label="故障数", cumulative_label="累计占比",
    )  # fmt: skip
    return ET.fromstring(svg)


def test_pareto_bars_cumulative_line_and_cut() -> None:
    root = _pareto(["一直流水", "冲水无力", "底座漏水"])
    bars = root.findall(".//s:rect[@class='bar']", NS)
    assert len(bars) == 3
    heights = [float(b.get("height", "0")) for b in bars]
    assert heights[0] > heights[1] > heights[2] > 0
    line = root.find(".//s:polyline[@class='cumulative']", NS)
    assert line is not None and len(line.get("points", "").split()) == 3
    cut = root.find(".//s:line[@class='cut-line']", NS)
    assert cut is not None
    # the second point is at 80 %: on the cut line
    y_second = float(line.get("points", "").split()[1].split(",")[1])
    assert abs(y_second - float(cut.get("y1", "0"))) < 0.2
    texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {"故障现象", "故障数", "累计占比", "80 % 线"} <= texts


def test_text_is_escaped() -> None:
    root = _pareto(['<script>alert("x")</script>'])
    assert root.find(".//s:script", NS) is None
    ticks = [t for t in root.iter("{http://www.w3.org/2000/svg}text") if "x-tick" in (t.get("class") or "")]
    assert ticks[0].find("s:title", NS) is not None
    assert ticks[0].find("s:title", NS).text == '<script>alert("x")</script>'  # type: ignore[union-attr]


def test_line_bar_and_comparison_charts_are_well_formed() -> None:
    months = ["2026-01", "2026-02", "2026-03"]
    line = ET.fromstring(line_chart(ZH, months, [("响应及时率", [Decimal("0.9"), None, Decimal("0.95")])],
                                    title="趋势", x_label="月份", y_label="比率"))  # fmt: skip
    assert len(line.findall(".//s:circle[@class='point']", NS)) == 2  # a gap where there is no value
    bars = ET.fromstring(bar_chart(ZH, months, [("特急", [1, 0, 2]), ("普通", [3, 4, 0])],
                                   title="超时", x_label="周", y_label="超时工单数"))  # fmt: skip
    assert len(bars.findall(".//s:rect[@class='bar']", NS)) == 4  # zero segments are not drawn
    comparison = ET.fromstring(hbar_chart(ZH, ["甲", "乙"], [("满意度", [Decimal("0.5"), Decimal("1")])],
                                          title="对比", x_label="比率"))  # fmt: skip
    widths = [float(r.get("width", "0")) for r in comparison.findall(".//s:rect[@class='bar']", NS)]
    assert widths[1] == 2 * widths[0]
