// Supervisor reports: the heat map and the trend chart, drawn with Apache ECharts (served from static/vendor) from
// the figures the page also shows as tables. No figure is computed here; the server did that.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var s = data.strings;
  var hours = [];
  for (var h = 0; h < 24; h++) hours.push(String(h));

  function minutes(seconds) { return seconds == null ? null : Math.round(seconds / 6) / 10; }

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
      aria: {enabled: true},
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

  var trend = echarts.init(document.getElementById("trend-chart"), null, {renderer: "svg"});
  var days = data.trend.map(function (row) { return row.date; });
  function series(key, name) {
    return {name: name, type: "line", smooth: true, showSymbol: false,
            data: data.trend.map(function (row) { return row[key]; })};
  }
  trend.setOption({
    aria: {enabled: true},
    tooltip: {trigger: "axis"},
    legend: {top: 0},
    grid: {left: 50, right: 20, top: 40, bottom: 30},
    xAxis: {type: "category", data: days},
    yAxis: {type: "value", minInterval: 1},
    series: [series("offered", s.offered), series("answered", s.answered), series("abandoned", s.abandoned),
             series("tickets_created", s.tickets_created), series("tickets_solved", s.tickets_solved)],
  });
  window.addEventListener("resize", function () { heat.resize(); trend.resize(); });
})();
