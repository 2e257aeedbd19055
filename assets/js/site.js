/* giro-site: charts drawn from their data tables when they come into view (plotly.js loaded
   once, from this site, also for the compare page as window.giro.loadPlotly), and the year
   switch on agency pages. Pages work without this script: every chart is a table, and the
   year switch is made of plain links. */
(function () {
  "use strict";

  var plotlyLoading = null;
  var FONT = '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", ' +
    '"Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif';
  // Colour-blind-safe (Okabe-Ito), dark enough for text contrast on white where used as text.
  var PALETTE = ["#0072B2", "#56B4E9", "#D55E00", "#E69F00", "#CC79A7", "#999999", "#009E73", "#000000"];
  var LEGEND = { orientation: "h", x: 0, y: 1.02, xanchor: "left", yanchor: "bottom", traceorder: "normal" };

  /* A table as the page shows it: column names, and per row its label, the address its label
     links to (if any) and its figures, each {text, value}: "1,234" is 1234, "12.5%" is 12.5,
     "—" (blank) is null. */
  function readTable(table) {
    var links = [];
    var rows = Array.prototype.map.call(table.rows, function (row) {
      var link = row.cells[0].querySelector("a[href]");
      links.push(link ? link.href : null);
      return Array.prototype.map.call(row.cells, function (cell) { return cell.textContent.trim(); });
    });
    return {
      head: rows[0].slice(1),
      rows: rows.slice(1).map(function (cells, index) {
        return {
          link: links[index + 1],
          label: cells[0],
          figures: cells.slice(1).map(figureOf)
        };
      })
    };
  }

  function figureOf(text) {
    var value = parseFloat(text.replace(/,/g, ""));
    return { text: text, value: isNaN(value) ? null : value };
  }

  /* A chart drawn from a form table on the page (data-from: the table's label id): the
     figures of its first row, category i and series j in cell data-cells[i * series + j]. A
     cell's finding marks and hidden notes are not part of its figure. */
  function readForm(element) {
    var table = document.querySelector('table[aria-labelledby="' + element.getAttribute("data-from") + '"]');
    var row = table && table.tBodies[0] && table.tBodies[0].rows[0];
    if (!row) { return null; }
    var cells = Array.prototype.map.call(row.querySelectorAll("td"), function (cell) {
      var copy = cell.cloneNode(true);
      Array.prototype.forEach.call(copy.querySelectorAll(".flag, .vh"), function (n) { n.remove(); });
      return figureOf(copy.textContent.replace("*", "").trim());
    });
    var series = element.getAttribute("data-series").split(" ");
    var indexes = element.getAttribute("data-cells").split(" ").map(Number);
    return {
      head: series,
      rows: element.getAttribute("data-categories").split(" ").map(function (label, i) {
        return { link: null, label: label, figures: series.map(function (_, j) { return cells[indexes[i * series.length + j]]; }) };
      })
    };
  }

  function layout(height, legend, extra) {
    var result = {
      height: height + (legend ? 30 : 0), margin: { l: 10, r: 10, t: legend ? 40 : 10, b: 30 },
      font: { family: FONT, size: 13, color: "#0b0c0c" }, paper_bgcolor: "#ffffff", plot_bgcolor: "#ffffff",
      showlegend: legend, separators: ".,"
    };
    if (legend) { result.legend = LEGEND; }
    Object.keys(extra).forEach(function (key) { result[key] = extra[key]; });
    return result;
  }

  /* Small counts get whole-number ticks: an axis of 0, 0.5, 1 for one application misleads. */
  function valueAxis(axis, values) {
    var shown = values.filter(function (v) { return v !== null; });
    var max = Math.max.apply(null, shown.concat([0]));
    if (max > 0 && max <= 5 && shown.every(function (v) { return v === Math.round(v); })) { axis.dtick = 1; }
    return axis;
  }

  /* The plotly figure of a chart of this kind, from its table. */
  function figure(kind, table, color) {
    var labels = table.rows.map(function (row) { return row.label; });
    var column = function (index) { return table.rows.map(function (row) { return row.figures[index]; }); };
    var values = [];
    table.rows.forEach(function (row) { row.figures.forEach(function (f) { values.push(f.value); }); });
    if (kind === "lines") {
      return {
        data: table.head.map(function (name, index) {
          return {
            type: "scatter", mode: "lines+markers", name: name, x: labels,
            y: column(index).map(function (f) { return f.value; }), line: { color: PALETTE[(color + index) % 8] },
            connectgaps: false, hovertemplate: "%{x}年 · " + name + "：%{y}<extra></extra>"
          };
        }),
        layout: layout(280, true, {
          xaxis: { type: "category", fixedrange: true },
          yaxis: valueAxis({ rangemode: "tozero", fixedrange: true, automargin: true, tickformat: ",~r" }, values)
        })
      };
    }
    var xaxis = valueAxis({ fixedrange: true, rangemode: "tozero", automargin: true, tickformat: ",~r" }, values);
    var horizontal = {
      yaxis: { autorange: "reversed", automargin: true, fixedrange: true }, xaxis: xaxis
    };
    var height = 60 + 28 * Math.max(1, labels.length);
    if (kind === "bars") {
      var figures = column(0);
      return {
        data: [{
          type: "bar", orientation: "h", y: labels, x: figures.map(function (f) { return f.value; }),
          text: figures.map(function (f) { return f.text; }), textposition: "auto", cliponaxis: false,
          marker: { color: PALETTE[color % 8] }, hovertemplate: "%{y}：%{x}<extra></extra>"
        }],
        layout: layout(height, false, horizontal)
      };
    }
    if (kind !== "stack" && kind !== "shares") { throw new Error("unknown chart kind: " + kind); }
    var suffix = kind === "shares" ? "%" : "";
    if (suffix) {
      delete xaxis.dtick;
      delete xaxis.rangemode;
      xaxis.range = [0, 100];
      xaxis.ticksuffix = suffix;
    }
    return {
      data: table.head.map(function (name, index) {
        return {
          type: "bar", orientation: "h", name: name, y: labels,
          x: column(index).map(function (f) { return f.value; }), marker: { color: PALETTE[(color + index) % 8] },
          hovertemplate: "%{y} · " + name + "：%{x}" + suffix + "<extra></extra>"
        };
      }),
      layout: layout(height + 30, true, { barmode: "stack", yaxis: horizontal.yaxis, xaxis: xaxis })
    };
  }

  function loadPlotly() {
    if (window.Plotly) { return Promise.resolve(window.Plotly); }
    if (!plotlyLoading) {
      plotlyLoading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = document.body.getAttribute("data-plotly");
        script.onload = function () { resolve(window.Plotly); };
        script.onerror = function () { reject(new Error("plotly.js did not load")); };
        document.head.appendChild(script);
      });
    }
    return plotlyLoading;
  }

  function draw(element) {
    if (element.classList.contains("drawn")) { return; }
    var table = element.parentNode.querySelector("table");
    var data = element.hasAttribute("data-from") ? readForm(element) : table && readTable(table);
    if (!data) { return; }
    var spec = figure(element.getAttribute("data-chart"), data, parseInt(element.getAttribute("data-color"), 10) || 0);
    var links = data.rows.map(function (row) { return row.link; });
    if (links.every(Boolean)) {  // each bar leads where its row's label does: a body's or a region's page
      spec.data.forEach(function (trace) { trace.customdata = links; });
    }
    element.classList.add("drawn");
    loadPlotly().then(function (Plotly) {
      return Plotly.newPlot(element, spec.data, spec.layout, {
        displayModeBar: false, responsive: true, scrollZoom: false, doubleClick: false
      }).then(function () {
        // A bar of a chart about many bodies leads to that body's page (its table row links too).
        if (!element.on) { return; }
        element.on("plotly_click", function (event) {
          var point = event && event.points && event.points[0];
          if (point && typeof point.customdata === "string" && point.customdata) {
            window.location.href = point.customdata;
          }
        });
      });
    }).catch(function () {
      element.classList.remove("drawn");
      element.textContent = "图表未能加载；数据见下方表格。";
    });
  }

  function watchCharts(root) {
    var plots = root.querySelectorAll(".chart-plot[data-chart]");
    if (!plots.length) { return; }
    if (!("IntersectionObserver" in window)) {
      Array.prototype.forEach.call(plots, draw);
      return;
    }
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) {
          observer.unobserve(entry.target);
          draw(entry.target);
        }
      });
    }, { rootMargin: "200px 0px" });
    Array.prototype.forEach.call(plots, function (plot) { observer.observe(plot); });
  }

  /* The year switch: each year is its own page; with this script the switch swaps the
     year's section into the current page instead of loading a new one. */
  function yearSwitch() {
    var nav = document.querySelector("nav.years");
    if (!nav || !window.fetch || !window.DOMParser || !window.history || !history.pushState) { return; }

    function mark(url) {
      Array.prototype.forEach.call(nav.querySelectorAll("a[data-year]"), function (link) {
        if (link.href === url) {
          link.setAttribute("aria-current", "page");
        } else {
          link.removeAttribute("aria-current");
        }
      });
    }

    function load(url, push) {
      var current = document.querySelector("section.year");
      if (!current) { return Promise.resolve(); }
      current.setAttribute("aria-busy", "true");
      return fetch(url, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      }).then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var section = page.querySelector("section.year");
        if (!section) { throw new Error("no report section"); }
        var fresh = document.importNode(section, true);
        current.parentNode.replaceChild(fresh, current);
        document.title = page.title;
        mark(url);
        if (push) { history.pushState({ year: url }, "", url); }
        watchCharts(fresh);
        var heading = fresh.querySelector("h2");
        if (heading && push) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
      }).catch(function () {
        window.location.href = url;  // the plain link still works
      });
    }

    nav.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a[data-year]") : null;
      if (!link || event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) { return; }
      event.preventDefault();
      if (link.getAttribute("aria-current") === "page") { return; }
      load(link.href, true);
    });
    window.addEventListener("popstate", function () { load(location.href, false); });
  }

  (window.giro = window.giro || {}).loadPlotly = loadPlotly;

  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details"), function (d) { d.open = true; });
  });

  document.addEventListener("DOMContentLoaded", function () {
    yearSwitch();
    watchCharts(document);
  });
})();
