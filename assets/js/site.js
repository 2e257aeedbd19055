/* giro-site: every chart drawn from its data table (chart.js draws the SVG), charts drawn
   again when their width changes, the year switch on agency pages, and plotly.js loaded on
   demand for the compare page (window.giro.loadPlotly). Pages work without this script: every
   chart is a table, and the year switch is made of plain links. */
(function () {
  "use strict";

  var plotlyLoading = null;

  /* A table as the page shows it: column names, and per row its label, the address its label
     links to (if any) and its figures, each {text, value}: "1,234" is 1234, "约1,200" is 1200, "12.5%" is 12.5,
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

  /* A figure as its table writes it: "1,234", "12.5%", "约1,200" (an approximate figure is
     drawn, and its text keeps the 约), or "—" for a blank. */
  function figureOf(text) {
    var value = parseFloat(text.replace(/^约\s*/, "").replace(/,/g, ""));
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

  /* Draws the chart from its table. A chart drawn above the view (the reader landed further
     down, as a shared search does) changes height there: the page is scrolled by as much, so
     what the reader looks at stays put, where the browser has not done so itself (Safari
     never does, and Chrome not inside a section laid out on demand). */
  function draw(element) {
    var table = element.parentNode.querySelector("table");
    var data = element.hasAttribute("data-from") ? readForm(element) : table && readTable(table);
    if (!data || !window.giro.chart) { return; }
    var above = element.getBoundingClientRect().bottom <= 0;
    var height = element.offsetHeight;
    var scrolled = window.pageYOffset;
    window.giro.chart.draw(element, element.getAttribute("data-chart"), data,
      parseInt(element.getAttribute("data-color"), 10) || 0);
    element.classList.add("drawn");
    var grown = element.offsetHeight - height;
    if (above && grown && window.pageYOffset === scrolled) { window.scrollBy(0, grown); }
  }

  function drawSafely(element) {
    try {
      draw(element);
    } catch (error) {
      element.textContent = "图表未能绘制；数据见表格。";
    }
  }

  /* Every chart under root, drawn as it comes near the view: the home page's charts are in
     sections laid out only when needed, and measuring them early would lay them out before
     the first paint. */
  function drawCharts(root) {
    var plots = root.querySelectorAll(".chart-plot[data-chart]");
    if (!plots.length) { return; }
    if (!("IntersectionObserver" in window)) {
      Array.prototype.forEach.call(plots, drawSafely);
      return;
    }
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) {
          observer.unobserve(entry.target);
          drawSafely(entry.target);
        }
      });
    }, { rootMargin: "200px 0px" });
    Array.prototype.forEach.call(plots, function (plot) { observer.observe(plot); });
  }

  /* A phone turned or a window resized: charts whose box changed width are drawn again. */
  function redrawOnResize() {
    var pending = null;
    window.addEventListener("resize", function () {
      if (pending) { window.clearTimeout(pending); }
      pending = window.setTimeout(function () {
        pending = null;
        Array.prototype.forEach.call(document.querySelectorAll(".chart-plot.drawn"), function (element) {
          if (String(window.giro.chart.widthOf(element)) !== element.getAttribute("data-width")) {
            draw(element);
          }
        });
      }, 150);
    });
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
        drawCharts(fresh);
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

  // On paper every chart shows (those not yet scrolled to as well) and every table beside it.
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll(".chart-plot[data-chart]:not(.drawn)"), drawSafely);
    Array.prototype.forEach.call(document.querySelectorAll("details"), function (d) { d.open = true; });
  });

  document.addEventListener("DOMContentLoaded", function () {
    yearSwitch();
    drawCharts(document);
    redrawOnResize();
  });
})();
