/* giro-site: the site's charts as SVG, drawn in the browser from the table each chart already
   shows (window.giro.chart). No library: a slow phone draws an agency page's charts at its first
   paint, where compiling plotly.js took seconds (plotly.js is loaded by the compare page only).
   The kinds are those of giro_site/site/pages/charts.py: bars (one series, horizontal), stack (a
   bar per row, a segment per series), shares (the same in per cent, 0-100) and lines (a line per
   series over the rows).

   A blank figure (null) draws nothing and its row says "—"; a 0 draws a bar of no length with its
   "0". Every drawn figure is a mark carrying data-row, data-series and data-value, and a tip
   ("label · series：figure") shown under the chart on hover or tap and as the mark's title. */
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  var FONT = '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", ' +
    '"Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif';
  // Colour-blind-safe (Okabe-Ito), dark enough for text contrast on white where used as text.
  var PALETTE = ["#0072B2", "#56B4E9", "#D55E00", "#E69F00", "#CC79A7", "#999999", "#009E73", "#000000"];
  var SIZE = 13;          // text, px
  var INK = "#0b0c0c";    // text
  var MUTED = "#505a5f";  // axis labels, the dash of a blank
  var GRID = "#d8dcde";
  var ROW = 28;           // a row's band; its bar is BAR high
  var BAR = 18;
  var AXIS = 24;          // the value axis' labels under the bars
  var LINES_HEIGHT = 220; // the plot area of a line chart

  var context = null;
  function measure(text) {
    if (!context) {
      var canvas = document.createElement("canvas");
      context = canvas.getContext && canvas.getContext("2d");
      if (context) { context.font = SIZE + "px " + FONT; }
    }
    return context ? context.measureText(text).width : text.length * SIZE;
  }

  /* The text cut to fit the width, with an ellipsis (the whole text is in the table). */
  function fit(text, width) {
    if (measure(text) <= width) { return text; }
    var cut = text;
    while (cut.length > 1 && measure(cut + "…") > width) { cut = cut.slice(0, -1); }
    return cut + "…";
  }

  function node(tag, attributes, parent, text) {
    var element = document.createElementNS(SVG, tag);
    Object.keys(attributes).forEach(function (key) { element.setAttribute(key, attributes[key]); });
    if (text !== undefined) { element.textContent = text; }
    if (parent) { parent.appendChild(element); }
    return element;
  }

  function label(parent, x, y, text, attributes) {
    var a = { x: x, y: y, "dominant-baseline": "central", fill: INK };
    Object.keys(attributes || {}).forEach(function (key) { a[key] = attributes[key]; });
    return node("text", a, parent, text);
  }

  /* White or black text on a colour, whichever contrasts more (WCAG relative luminance). */
  function textOn(colour) {
    var channels = [1, 3, 5].map(function (i) {
      var c = parseInt(colour.substr(i, 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    var luminance = 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
    return 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.05 ? "#ffffff" : INK;
  }

  /* An axis value as Chinese readers write large counts: 25,000 or, from 100,000 up, 10万. */
  function tickText(value, inWan, suffix) {
    if (inWan && value) { return String(Math.round(value / 1000) / 10) + "万"; }
    return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (suffix || "");
  }

  /* Round ticks from 0 to at least the largest figure, about one per `room` px and never
     more than ten steps (so any table gives a bounded axis), the last at or past the largest:
     a bar never runs past its axis. Whole numbers for counts (an axis of 0, 0.5, 1 for one
     application misleads). */
  function ticks(largest, span, room) {
    var top = largest > 0 && isFinite(largest) ? largest : 1;
    var count = Math.max(1, Math.min(10, Math.floor(span / room)));
    var rough = top / count;
    var power = Math.pow(10, Math.floor(Math.log(rough) / Math.LN10));
    var step = [1, 2, 2.5, 5, 10].map(function (m) { return m * power; }).filter(function (s) {
      return s >= rough && s === Math.round(s);
    })[0] || Math.ceil(rough);
    step = Math.max(1, step);
    var steps = Math.max(1, Math.ceil(top / step));  // at most `count` (step >= top / count)
    var values = [];
    for (var i = 0; i <= steps; i++) { values.push(i * step); }
    var last = values[values.length - 1];
    return { values: values, top: last, wan: last >= 100000 };
  }

  /* A figure to draw: stated, not negative, and within what a double holds (a 400-digit
     figure in a report is shown as text only). */
  function valueOf(figure) {
    return figure && typeof figure.value === "number" && isFinite(figure.value) && figure.value >= 0 ? figure.value : null;
  }

  function mark(element, row, series, figure, tip) {
    element.setAttribute("data-row", row);
    element.setAttribute("data-series", series);
    element.setAttribute("data-value", figure.value);
    element.setAttribute("data-tip", tip);
    node("title", {}, element, tip);
    return element;
  }

  /* Series names with their colour swatches, wrapped to the width; a series with no figure
     stated is named so ("：空白"), as nothing of it is drawn. Returns the legend's height. */
  function legend(svg, data, colour, width) {
    var x = 0;
    var y = 0;
    data.head.forEach(function (head, index) {
      var stated = data.rows.some(function (row) { return valueOf(row.figures[index]) !== null; });
      var name = fit(stated ? head : head + "：空白", width - 18);
      var room = 18 + measure(name) + 14;
      if (x > 0 && x + room > width) { x = 0; y += 22; }
      node("rect", { x: x, y: y + 4, width: 12, height: 12, fill: PALETTE[(colour + index) % 8] }, svg);
      label(svg, x + 18, y + 10, name);
      x += room;
    });
    return y + 22;
  }

  function axisLine(svg, x1, y1, x2, y2) {
    return node("line", { x1: x1, y1: y1, x2: x2, y2: y2, stroke: GRID, "stroke-width": 1, "shape-rendering": "crispEdges" }, svg);
  }

  /* The plot area (where every mark lies) recorded on the chart, so tests can check it. */
  function plotArea(svg, x, y, width, height) {
    svg.setAttribute("data-plot", [x, y, width, height].map(function (v) { return Math.round(v * 10) / 10; }).join(" "));
  }

  /* Bars, stacks and shares: a row's label on the left, its bar to the right of it. A bar's
     figure goes after it where it fits, else inside it (the longest bar of a narrow chart),
     else only in the bar's tip; a segment's figure goes inside it where it fits, else in its
     tip. The axis runs to at least the longest bar, so no bar passes the plot area. */
  function horizontal(kind, data, colour, width) {
    var svg = node("svg", {});
    var stacked = kind !== "bars";
    var shares = kind === "shares";
    var suffix = shares ? "%" : "";
    var top = stacked ? legend(svg, data, colour, width) + 6 : 0;
    var labelWidth = Math.min(Math.ceil(Math.max.apply(null, data.rows.map(function (r) { return measure(r.label); }))) + 14,
      Math.round(width * 0.4));
    // Room after the bars for their figures, up to a quarter of the width: a figure wider
    // than that goes inside its bar when the bar is long.
    var valueRoom = stacked ? 8 : Math.min(Math.ceil(Math.max.apply(null, data.rows.map(function (r) {
      return measure(r.figures[0].text);
    }))) + 10, Math.max(48, Math.round(width * 0.25)));
    var left = labelWidth;
    var span = Math.max(40, width - left - valueRoom);
    var totals = data.rows.map(function (row) {
      return row.figures.reduce(function (sum, f) { return sum + (valueOf(f) || 0); }, 0);
    });
    var axis = shares ? { values: [0, 25, 50, 75, 100], top: Math.max(100, Math.max.apply(null, totals)), wan: false }
      : ticks(Math.max.apply(null, totals.concat([0])), span, 60);
    var scale = function (value) { return value / axis.top * span; };
    var bottom = top + ROW * data.rows.length;
    plotArea(svg, left, top, span, bottom - top);
    axis.values.forEach(function (value) {
      var x = Math.round(left + scale(value)) + 0.5;
      axisLine(svg, x, top, x, bottom);
      label(svg, x, bottom + AXIS / 2 + 2, tickText(value, axis.wan, suffix),
        { "text-anchor": value === axis.values[axis.values.length - 1] && value ? "end" : value ? "middle" : "start",
          fill: MUTED, "data-tick": value });
    });
    data.rows.forEach(function (row, r) {
      var middle = top + ROW * r + ROW / 2;
      var group = node("g", row.link ? { "data-href": row.link, "class": "link" } : {}, svg);
      label(group, left - 8, middle, fit(row.label, labelWidth - 10), { "text-anchor": "end" });
      var x = left;
      row.figures.forEach(function (figure, s) {
        var value = valueOf(figure);
        var name = stacked ? data.head[s] : "";
        if (value === null) {
          if (!stacked) { label(group, left + 4, middle, figure.text || "—", { fill: MUTED }); }
          return;
        }
        var length = Math.min(scale(value), left + span - x);
        var fill = PALETTE[(colour + (stacked ? s : 0)) % 8];
        var tip = row.label + (name ? " · " + name : "") + "：" + figure.text;
        mark(node("rect", { x: x, y: middle - BAR / 2, width: Math.max(0, length), height: BAR, fill: fill }, group),
          r, s, figure, tip);
        var text = figure.text;
        var room = measure(text);
        var inside = { "text-anchor": "middle", fill: textOn(fill), "pointer-events": "none", "data-inside": "" };
        if (stacked) {
          if (room + 6 <= length) { label(group, x + length / 2, middle, text, inside); }
        } else if (x + length + 4 + room <= width) {
          label(group, x + length + 4, middle, text, { "data-for": r });
        } else if (room + 8 <= length) {
          inside["text-anchor"] = "end";
          inside["data-for"] = r;
          label(group, x + length - 4, middle, text, inside);
        }
        x += length;
      });
      if (stacked && x === left) {  // nothing to draw: say whether the row is 0 or blank
        var stated = row.figures.some(function (f) { return valueOf(f) !== null; });
        label(group, left + 4, middle, stated ? "0" : "—", { fill: MUTED });
      }
    });
    svg.setAttribute("height", bottom + AXIS + 4);
    return svg;
  }

  /* Lines over the rows (years): a point per stated figure, a line between neighbours both
     stated, so a blank year leaves a gap. */
  function lines(data, colour, width) {
    var svg = node("svg", {});
    var top = legend(svg, data, colour, width) + 10;
    var values = [];
    data.rows.forEach(function (row) { row.figures.forEach(function (f) { if (valueOf(f) !== null) { values.push(f.value); } }); });
    var axis = ticks(Math.max.apply(null, values.concat([0])), LINES_HEIGHT, 45);
    var left = Math.ceil(Math.max.apply(null, axis.values.map(function (v) { return measure(tickText(v, axis.wan)); }))) + 8;
    var span = Math.max(40, width - left - 8);
    var step = span / Math.max(1, data.rows.length);
    var bottom = top + LINES_HEIGHT;
    var y = function (value) { return bottom - value / axis.top * LINES_HEIGHT; };
    var x = function (index) { return left + step * (index + 0.5); };
    plotArea(svg, left, top, span, LINES_HEIGHT);
    axis.values.forEach(function (value) {
      var at = Math.round(y(value)) + 0.5;
      axisLine(svg, left, at, width, at);
      label(svg, left - 6, at, tickText(value, axis.wan), { "text-anchor": "end", fill: MUTED, "data-tick": value });
    });
    // Under the axis every row's label where they fit (years do from a phone up), else every
    // second, third… one; never past the drawing's edges.
    var widest = Math.max.apply(null, data.rows.map(function (row) { return measure(row.label); }));
    var every = Math.max(1, Math.ceil((Math.min(widest, 80) + 6) / step));
    data.rows.forEach(function (row, index) {
      if (index % every) { return; }
      var text = fit(row.label, step * every - 4);
      var half = measure(text) / 2 + 2;  // the canvas measures a pixel or so short of the SVG
      var at = Math.min(Math.max(x(index), half), width - half);
      label(svg, at, bottom + AXIS / 2 + 2, text, { "text-anchor": "middle", fill: MUTED });
    });
    data.head.forEach(function (name, s) {
      var stroke = PALETTE[(colour + s) % 8];
      var path = "";
      var previous = false;
      data.rows.forEach(function (row, index) {
        var value = valueOf(row.figures[s]);
        if (value === null) { previous = false; return; }
        path += (previous ? "L" : "M") + x(index).toFixed(1) + " " + y(value).toFixed(1);
        previous = true;
      });
      if (path) { node("path", { d: path, fill: "none", stroke: stroke, "stroke-width": 2 }, svg); }
      data.rows.forEach(function (row, index) {
        var figure = row.figures[s];
        if (valueOf(figure) === null) { return; }
        mark(node("circle", { cx: x(index), cy: y(figure.value), r: 4.5, fill: stroke }, svg), index, s, figure,
          row.label + " · " + name + "：" + figure.text);
      });
    });
    svg.setAttribute("height", bottom + AXIS + 4);
    return svg;
  }

  /* The width a chart is drawn at in this element: its box, never under 200 px. */
  function widthOf(element) { return Math.max(200, Math.floor(element.clientWidth || 0)); }

  /* The chart of this kind drawn into the element at its width, replacing what was there;
     the tip of the mark under the pointer or last tapped shows in the element's readout. */
  function draw(element, kind, data, colour) {
    var width = widthOf(element);
    if (kind !== "bars" && kind !== "stack" && kind !== "shares" && kind !== "lines") {
      throw new Error("unknown chart kind: " + kind);
    }
    var svg = kind === "lines" ? lines(data, colour, width) : horizontal(kind, data, colour, width);
    svg.setAttribute("width", width);
    svg.setAttribute("viewBox", "0 0 " + width + " " + svg.getAttribute("height"));  // scales down on paper
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("font-family", FONT);
    svg.setAttribute("font-size", SIZE);
    element.textContent = "";
    element.appendChild(svg);
    var readout = document.createElement("p");
    readout.className = "chart-readout";
    readout.setAttribute("aria-hidden", "true");
    element.appendChild(readout);
    element.setAttribute("data-width", width);
    return svg;
  }

  function tipAt(event) {
    var target = event.target && event.target.closest ? event.target.closest("[data-tip]") : null;
    var plot = event.target && event.target.closest ? event.target.closest(".chart-plot") : null;
    var readout = plot && plot.querySelector(".chart-readout");
    if (readout && target) { readout.textContent = target.getAttribute("data-tip"); }
  }
  document.addEventListener("mouseover", tipAt);
  document.addEventListener("click", function (event) {
    tipAt(event);
    // A bar of a chart about many bodies or places leads to that page (its table row links too).
    var link = event.target && event.target.closest ? event.target.closest(".chart-plot g[data-href]") : null;
    if (link && event.button === 0 && !event.metaKey && !event.ctrlKey && !event.shiftKey) {
      window.location.href = link.getAttribute("data-href");
    }
  });

  (window.giro = window.giro || {}).chart = { draw: draw, widthOf: widthOf, FONT: FONT, PALETTE: PALETTE };
})();
