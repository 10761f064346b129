/**
 * The page's own script: draws every chart spec (chart-spec.ts) embedded in the page with uPlot.
 * It decides nothing about the data — series, labels, markers and units all come from the spec —
 * so it stays small, and the browser test (test/report/html-browser.test.ts) runs it for real.
 *
 * Kept as browser JavaScript in a string: the project type-checks for Node only (no DOM lib), and
 * a string survives both the tsx sources and the esbuild bundle unchanged (Function#toString would
 * carry tsx's injected helpers into the page).
 */
export const CLIENT_JS = String.raw`
(function () {
  'use strict';
  var dataEl = document.getElementById('streamtop-data');
  if (!dataEl || typeof uPlot === 'undefined') return;
  var page = JSON.parse(dataEl.textContent || '{}');
  var charts = [];

  function css(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }

  function fmt(v) {
    if (v == null || !isFinite(v)) return '-';
    var a = Math.abs(v);
    if (a === 0) return '0';
    if (a < 10) return v.toFixed(2);
    if (a < 100) return v.toFixed(1);
    if (a < 1e5) return v.toFixed(0);
    return (v / 1000).toFixed(0) + 'k';
  }

  function tick(v) {
    if (v == null) return '';
    if (Math.abs(v) >= 1e5) return (v / 1000).toFixed(0) + 'k';
    return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(3)));
  }

  function powers(base, min, max) {
    var out = [];
    for (var v = 1; v <= max * 1.0001; v *= base) if (v >= min * 0.9999) out.push(v);
    return out;
  }

  function pctLabel(x) {
    // Percentile axes store 1/(1-p): 1 -> 0 %, 10 -> 90 %, 100 -> 99 %, 1000 -> 99.9 %.
    var p = 100 * (1 - 1 / x);
    if (p <= 0) return '0%';
    var digits = Math.max(0, Math.round(Math.log10(x)) - 2);
    return p.toFixed(digits) + '%';
  }

  function xLabel(spec, v) {
    if (v == null) return '-';
    if (spec.xKind === 'percentile') return pctLabel(v);
    if (spec.xKind === 'seconds') return v.toFixed(0) + ' s';
    return String(v);
  }

  function tooltipPlugin(spec) {
    var tip;
    return {
      hooks: {
        init: function (u) {
          tip = document.createElement('div');
          tip.className = 'chart-tip';
          tip.setAttribute('aria-hidden', 'true');
          u.over.appendChild(tip);
        },
        setCursor: function (u) {
          var i = u.cursor.idx;
          if (i == null || u.cursor.left == null || u.cursor.left < 0) {
            tip.style.display = 'none';
            return;
          }
          var lines = ['<b>' + xLabel(spec, u.data[0][i]) + '</b>'];
          spec.series.forEach(function (s, k) {
            if (!u.series[k + 1].show) return;
            var v = u.data[k + 1][i];
            if (v == null) return;
            lines.push('<span style="color:' + s.color + '">\u25a0</span> ' + escapeText(s.label) + ': ' + fmt(v) + ' ' + escapeText(spec.yUnit));
          });
          tip.innerHTML = lines.join('<br>');
          tip.style.display = 'block';
          var left = u.cursor.left + 12;
          if (left + tip.offsetWidth > u.over.clientWidth) left = u.cursor.left - tip.offsetWidth - 12;
          tip.style.left = Math.max(0, left) + 'px';
          tip.style.top = Math.max(0, u.cursor.top - tip.offsetHeight - 8) + 'px';
        },
      },
    };
  }

  function escapeText(s) {
    var d = document.createElement('span');
    d.textContent = s;
    return d.innerHTML;
  }

  function drawMarkers(spec) {
    return function (u) {
      if (!spec.markers.length) return;
      var ctx = u.ctx;
      var top = u.bbox.top;
      var bottom = u.bbox.top + u.bbox.height;
      var ratio = window.devicePixelRatio || 1;
      ctx.save();
      ctx.strokeStyle = css('--marker');
      ctx.fillStyle = css('--fg');
      ctx.lineWidth = 1 * ratio;
      ctx.setLineDash([4 * ratio, 3 * ratio]);
      ctx.font = 11 * ratio + 'px system-ui, sans-serif';
      spec.markers.forEach(function (m, k) {
        var x = u.valToPos(m.x, 'x', true);
        if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) return;
        ctx.beginPath();
        ctx.moveTo(x, top);
        ctx.lineTo(x, bottom);
        ctx.stroke();
        // Labels of nearby markers would overlap: stagger them over three rows.
        // Near the right edge the label goes to the left of its line.
        var w = ctx.measureText(m.label).width;
        var tx = x + 3 * ratio + w > u.bbox.left + u.bbox.width ? x - 3 * ratio - w : x + 3 * ratio;
        ctx.fillText(m.label, tx, top + (12 + 13 * (k % 3)) * ratio);
      });
      ctx.restore();
    };
  }

  function build(spec, el) {
    var fg = css('--fg');
    var grid = css('--grid');
    var axis = function (label, values) {
      var a = { label: label, stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
      if (values) a.values = values;
      return a;
    };
    var xScale = spec.xLog ? { distr: 3, log: spec.xLog, time: false } : { time: false };
    var xValues = spec.xKind === 'percentile'
      ? function (u, splits) { return splits.map(pctLabel); }
      : spec.xKind === 'level' ? function (u, splits) { return splits.map(function (v) { return String(v); }); } : null;
    var xAxis = axis(spec.xLabel, xValues);
    // A log axis would label every minor step (2, 3, ... 9 per decade): keep the powers of the base.
    if (spec.xLog) xAxis.splits = function (u, i, min, max) { return powers(spec.xLog, min, max); };
    var opts = {
      width: Math.max(300, el.clientWidth),
      height: 260,
      scales: { x: xScale, y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.08 : 1]; } } },
      axes: [xAxis, axis(spec.yLabel, function (u, splits) { return splits.map(tick); })],
      series: [{ label: spec.xLabel, value: function (u, v) { return xLabel(spec, v); } }].concat(
        spec.series.map(function (s) {
          var o = {
            label: s.label,
            stroke: s.color,
            width: 1.5,
            points: { show: !!s.points, size: 6, fill: s.color },
            value: function (u, v) { return v == null ? '-' : fmt(v) + ' ' + spec.yUnit; },
          };
          if (s.dash) o.dash = s.dash;
          if (s.stepped) o.paths = uPlot.paths.stepped({ align: 1 });
          return o;
        }),
      ),
      cursor: { drag: { x: true, y: false } },
      hooks: { draw: [drawMarkers(spec)] },
      plugins: [tooltipPlugin(spec)],
    };
    var data = [spec.x].concat(spec.series.map(function (s) { return s.values; }));
    return new uPlot(opts, data, el);
  }

  function drawAll() {
    charts.forEach(function (c) { c.plot.destroy(); });
    charts = [];
    page.charts.forEach(function (spec) {
      var el = document.querySelector('[data-chart="' + spec.id + '"]');
      if (!el) return;
      charts.push({ el: el, plot: build(spec, el) });
    });
  }

  drawAll();
  // Milliseconds from navigation to every chart drawn: what the browser test and bench read.
  document.body.setAttribute('data-charts-drawn-ms', String(Math.round(performance.now())));
  if (typeof ResizeObserver !== 'undefined') {
    var pending = 0;
    new ResizeObserver(function () {
      cancelAnimationFrame(pending);
      pending = requestAnimationFrame(function () {
        charts.forEach(function (c) { c.plot.setSize({ width: Math.max(300, c.el.clientWidth), height: 260 }); });
      });
    }).observe(document.body);
  }
  // Axis and grid colours are read from the theme when a chart is built: rebuild on a switch.
  if (window.matchMedia) {
    var mq = window.matchMedia('(prefers-color-scheme: dark)');
    if (mq.addEventListener) mq.addEventListener('change', drawAll);
  }
})();
`;
