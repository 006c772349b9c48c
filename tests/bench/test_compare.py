"""bench.compare: the before/after summary judges each figure the right way round."""
from bench.compare import summarize, svg, table


def _row(measure, value, unit, **extra):
    return {"benchmark": "chat", "measure": measure, "value": value, "unit": unit, **extra}


def test_medians_ratios_and_direction_per_unit():
    """Throughput higher is better, latency lower is better; ratios to a same-run baseline become figures too."""
    base = [[_row("closed", 300, "msg/s", ratio_to_room_relay=0.40), _row("open", 80, "ms p99")],
            [_row("closed", 320, "msg/s", ratio_to_room_relay=0.44), _row("open", 100, "ms p99")]]
    head = [[_row("closed", 280, "msg/s", ratio_to_room_relay=0.40), _row("open", 60, "ms p99")],
            [_row("closed", 300, "msg/s", ratio_to_room_relay=0.42), _row("open", 70, "ms p99")]]
    summary = summarize({"base": base, "head": head})
    assert summary["chat: closed"]["base_median"] == 310 and summary["chat: closed"]["head_median"] == 290
    assert summary["chat: closed"]["better"] is False
    assert summary["chat: open"]["better"] is True and round(summary["chat: open"]["ratio"], 3) == round(65 / 90, 3)
    assert round(summary["chat: closed, x room relay"]["ratio"], 3) == round(0.41 / 0.42, 3)
    assert "worse" in table(summary, "a" * 40, "b" * 40)
    assert svg(summary, "a" * 40, "b" * 40).count("<rect") == 3


def test_a_figure_only_one_side_measured_is_left_out():
    summary = summarize({"base": [[_row("new figure", 5, "msg/s")]], "head": [[_row("other", 5, "msg/s")]]})
    assert summary == {}
