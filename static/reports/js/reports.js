// Supervisor reports: the heat map and the trend chart, drawn with Apache ECharts (served from static/vendor) from
// the figures the page also shows as tables. No figure is computed here; the server did that.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var s = data.strings;
  var hours = [];
  for (var h = 0; h < 24; h++) hours.push(String(h));

  function minutes(seconds) { return seconds == null ? null : Math.round(seconds / 6) / 10; }
  // ECharts' aria module writes its own description of a chart (in English) over the element's aria-label: each chart
  // gives it the page's translated label instead.
  var labels = {};
  function aria(el) {
    if (!(el.id in labels)) labels[el.id] = el.getAttribute("aria-label");
    return {enabled: true, label: {description: labels[el.id]}};
  }

  var heatEl = document.getElementById("heatmap-chart");
  var heat = echarts.init(heatEl, null, {renderer: "svg"});
  var select = document.getElementById("heatmap-language");

  function drawHeatmap() {
    var language = select.value;
    var cells = [], max = 1;
    data.heatmap.forEach(function (row) {
      if (row.language !== language || row.wait_p50 == null) return;
      var value = minutes(row.wait_p50);
      max = Math.max(max, value);
      // x: hour, y: weekday (Monday at the top), value: median wait in minutes, then chats offered.
      cells.push([row.hour, row.weekday_number - 1, value, row.offered]);
    });
    heat.setOption({
      aria: aria(heatEl),
      tooltip: {formatter: function (p) {
        return data.weekdays[p.value[1]] + " " + p.value[0] + ":00 — " + s.wait + ": " + p.value[2] +
          " · " + s.offered + ": " + p.value[3];
      }},
      grid: {left: 60, right: 90, top: 10, bottom: 45},
      xAxis: {type: "category", data: hours, name: s.hour, nameLocation: "middle", nameGap: 28, splitArea: {show: true}},
      yAxis: {type: "category", data: data.weekdays, inverse: true, splitArea: {show: true}},
      visualMap: {min: 0, max: max, calculable: false, orient: "vertical", right: 0, top: "middle",
                  text: [max + " " + s.minutes, "0"], inRange: {color: ["#e0f2fe", "#fde68a", "#f97316", "#b91c1c"]}},
      series: [{name: s.wait, type: "heatmap", data: cells, label: {show: false},
                emphasis: {itemStyle: {borderColor: "#111", borderWidth: 1}}}],
      graphic: cells.length ? [] : [{type: "text", left: "center", top: "middle", style: {text: s.no_data}}],
    }, true);
    heatEl.dataset.cells = String(cells.length);
  }

  // Start on the language where customers waited most, the one staffing questions are usually about.
  var totals = {};
  data.heatmap.forEach(function (row) { totals[row.language] = (totals[row.language] || 0) + row.offered; });
  var busiest = Object.keys(totals).sort(function (a, b) { return totals[b] - totals[a]; })[0];
  if (busiest) select.value = busiest;
  select.addEventListener("change", drawHeatmap);
  drawHeatmap();

  var trendEl = document.getElementById("trend-chart");
  var trend = echarts.init(trendEl, null, {renderer: "svg"});
  var days = data.trend.map(function (row) { return row.date; });
  function series(key, name) {
    return {name: name, type: "line", smooth: true, showSymbol: false,
            data: data.trend.map(function (row) { return row[key]; })};
  }
  trend.setOption({
    aria: aria(trendEl),
    tooltip: {trigger: "axis"},
    legend: {top: 0},
    grid: {left: 50, right: 20, top: 40, bottom: 30},
    xAxis: {type: "category", data: days},
    yAxis: {type: "value", minInterval: 1},
    series: [series("offered", s.offered), series("answered", s.answered), series("abandoned", s.abandoned),
             series("tickets_created", s.tickets_created), series("tickets_solved", s.tickets_solved)],
  });
  // Language overflow (#25): grouped bars per language from the rows of the overflow table (its total row is in the
  // table only).
  var charts = [heat, trend];
  var languages = (data.overflow || []).filter(function (row) { return row.code; });
  function bars(key, yAxis, series) {
    var el = document.getElementById("overflow-" + key + "-chart");
    if (!el) return;
    var chart = echarts.init(el, null, {renderer: "svg"});
    var values = 0;
    var drawn = series.map(function (item) {
      var points = languages.map(function (row) { return item.value(row); });
      points.forEach(function (v) { if (v) values += 1; });
      return {name: item.name, type: "bar", data: points, barMaxWidth: 28};
    });
    chart.setOption({
      aria: aria(el),
      tooltip: {trigger: "axis"},
      legend: {top: 0},
      grid: {left: 50, right: 20, top: 40, bottom: 30},
      xAxis: {type: "category", data: languages.map(function (row) { return row.language; })},
      yAxis: yAxis,
      series: drawn,
      graphic: values ? [] : [{type: "text", left: "center", top: "middle", style: {text: s.no_overflow}}],
    });
    el.dataset.bars = String(values);
    charts.push(chart);
  }
  function field(name) { return function (row) { return row[name]; }; }
  bars("offers", {type: "value", minInterval: 1}, [
    {name: s.accepted, value: field("accepted")}, {name: s.declined, value: field("declined")},
    {name: s.unanswered, value: field("unanswered")}]);
  bars("waits", {type: "value", name: s.wait_p90_minutes, nameTextStyle: {align: "left"}}, [
    {name: s.after_accepting, value: function (row) { return minutes(row.with_p90); }},
    {name: s.served_natively, value: function (row) { return minutes(row.native_p90); }}]);
  bars("csat", {type: "value", min: 0, max: 5, interval: 1, name: s.csat_score, nameTextStyle: {align: "left"}}, [
    {name: s.translated, value: field("translated_csat")}, {name: s.native, value: field("native_csat")}]);

  // Custom fields (#26): per field, horizontal bars of the tickets created per option (option labels can be long,
  // "BNB Smart Chain (BEP20)", and read better down the side on a phone); "Not set" is in the table only.
  var fieldRows = {};
  (data.fields || []).forEach(function (row) {
    if (row.value == null) return;
    (fieldRows[row.field_key] = fieldRows[row.field_key] || []).push(row);
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-field]"), function (el) {
    var rows = fieldRows[el.getAttribute("data-field")] || [];
    var total = rows.reduce(function (sum, row) { return sum + row.tickets; }, 0);
    el.style.height = Math.max(180, 40 * rows.length + 70) + "px";
    var chart = echarts.init(el, null, {renderer: "svg"});
    chart.setOption({
      aria: aria(el),
      tooltip: {trigger: "axis", axisPointer: {type: "shadow"}},
      grid: {left: 10, right: 40, top: 30, bottom: 10, containLabel: true},
      xAxis: {type: "value", minInterval: 1, position: "top"},
      yAxis: {type: "category", inverse: true, data: rows.map(function (row) { return row.option; }),
              axisLabel: {width: Math.max(100, Math.min(260, el.clientWidth * 0.4)), overflow: "truncate"}},
      series: [{name: s.tickets_created, type: "bar", barMaxWidth: 24, label: {show: true, position: "right"},
                data: rows.map(function (row) { return row.tickets; })}],
      graphic: total ? [] : [{type: "text", left: "center", top: "middle", style: {text: s.no_field_tickets}}],
    });
    el.dataset.bars = String(total ? rows.length : 0);
    charts.push(chart);
  });

  // A table wider than the screen scrolls sideways in its wrapper: keyboard users must be able to reach it (focus,
  // then arrow keys), named after its section's heading. Only wrappers that do scroll become a tab stop.
  function scrollableTables() {
    Array.prototype.forEach.call(document.querySelectorAll(".report-section .table-wrap"), function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        var heading = wrap.closest(".report-section").querySelector("h2, h3");
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        if (heading) wrap.setAttribute("aria-labelledby", heading.id);
      } else if (wrap.getAttribute("role") === "region") {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-labelledby");
      }
    });
  }
  scrollableTables();

  window.addEventListener("resize", scrollableTables);
  window.addEventListener("resize", function () { charts.forEach(function (chart) { chart.resize(); }); });
})();
