// Orbit's charts: Apache ECharts (vendored, orbit/static/vendor/echarts/) drawn from a JSON spec the page carries
// as data, so templates hold no script (the Content-Security-Policy allows none inline).
//
// A chart on a page (templates/_chart.html, orbit/common/charts.py):
//   <div class="chart-canvas" data-chart="ID" hidden></div>  ID: the id of {{ spec|json_script:ID }}
//   <details data-chart-table open>...the same figures as a table...</details>
// Spec: {kind: "bar"|"line", unit: "money"|"number"|"percent", currency: "RUB", categories: [labels],
//        series: [{name, kind: "bar"|"line", stack: "" | name of a stack, values: ["123.45", null, ...]}]}
// Without JavaScript the table stays open and the chart stays hidden; once the chart is drawn, the table folds
// into its <details> (still there for screen readers and for copying the figures).
//
// ECharts (1 MB) is loaded only by a page that has a chart, also when the chart arrives in an htmx panel.
(() => {
  const self = document.currentScript;
  const LIBRARY = self.dataset.echarts;
  const LIBRARY_RU = self.dataset.echartsRu;
  const LANG = (document.documentElement.lang || "ru").slice(0, 2);
  const LOCALE = LANG === "en" ? "en-US" : "ru-RU";
  const drawn = new Map(); // chart -> its ResizeObserver
  let loading = null;

  function load(src) {
    return new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = src;
      script.addEventListener("load", resolve);
      script.addEventListener("error", reject);
      document.head.appendChild(script);
    });
  }

  function library() {
    if (window.echarts) return Promise.resolve(window.echarts);
    if (!loading) loading = load(LIBRARY).then(() => load(LIBRARY_RU)).then(() => window.echarts);
    return loading;
  }

  // Numbers in the reader's language: "1 234 567 ₽" in Russian, "₽1,234,567" in English; axes compact
  // ("1,2 млн ₽"). Values arrive as decimal strings; they become floats only to be drawn, never summed.
  function formatter(spec, compact) {
    // One decimal on a compact axis, so 1.2 and 1.4 million do not both read "1 млн".
    const options = { maximumFractionDigits: spec.unit === "percent" || compact ? 1 : 0 };
    if (compact) options.notation = "compact";
    if (spec.unit === "money") {
      Object.assign(options, { style: "currency", currency: spec.currency, currencyDisplay: "narrowSymbol" });
    }
    const format = new Intl.NumberFormat(LOCALE, options);
    const suffix = spec.unit === "percent" ? " %" : "";
    return (value) => (value === null || value === undefined || value === "-" ? "—" : format.format(value) + suffix);
  }

  function option(spec) {
    const axis = formatter(spec, true);
    const exact = formatter(spec, false);
    return {
      animationDuration: 300,
      color: ["#2f5bd3", "#20a386", "#f0a330", "#9b59b6", "#e05a4f", "#5ab0e6", "#8c9a2c", "#c06c98", "#6b7b8c"],
      textStyle: { fontFamily: "inherit" },
      grid: { left: 8, right: 12, top: 40, bottom: 8, containLabel: true },
      legend: { type: "scroll", top: 0, left: 0 },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: exact },
      xAxis: { type: "category", data: spec.categories, axisLabel: { hideOverlap: true }, axisTick: { alignWithLabel: true } },
      yAxis: { type: "value", axisLabel: { formatter: axis }, splitLine: { lineStyle: { color: "#e6e9ef" } } },
      series: spec.series.map((s) => ({
        name: s.name,
        type: s.kind || spec.kind || "bar",
        stack: s.stack || undefined,
        data: s.values.map((v) => (v === null ? null : Number(v))),
        emphasis: { focus: "series" },
        barMaxWidth: 28,
        symbolSize: 6,
        z: s.kind === "line" ? 3 : 2,
      })),
    };
  }

  function drawAll() {
    // Charts whose panel htmx has swapped away: free them.
    drawn.forEach((observer, chart) => {
      if (!document.contains(chart.getDom())) {
        observer.disconnect();
        chart.dispose();
        drawn.delete(chart);
      }
    });
    const pending = Array.from(document.querySelectorAll("[data-chart]:not([data-chart-drawn])"));
    if (!pending.length) return;
    library().then((echarts) => {
      pending.forEach((element) => {
        if (element.dataset.chartDrawn || !document.contains(element)) return;
        const source = document.getElementById(element.dataset.chart);
        if (!source) return;
        element.dataset.chartDrawn = "1";
        element.hidden = false;
        const chart = echarts.init(element, null, { locale: LANG === "en" ? "EN" : "RU", renderer: "canvas" });
        chart.setOption(option(JSON.parse(source.textContent)));
        const observer = new ResizeObserver(() => chart.resize());
        observer.observe(element);
        drawn.set(chart, observer);
        const table = element.closest("figure")?.querySelector("details[data-chart-table]");
        if (table) table.open = false;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", drawAll);
  document.addEventListener("htmx:afterSettle", drawAll);
})();
