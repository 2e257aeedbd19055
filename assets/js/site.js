/* giro-site: charts drawn when they come into view (plotly.js loaded once, from this
   site), and the year switch on agency pages. Pages work without this script: charts have data
   tables, and the year switch is made of plain links. */
(function () {
  "use strict";

  var figures = {};
  var plotlyLoading = null;

  function readFigures(root) {
    Array.prototype.forEach.call(root.querySelectorAll('script[type="application/json"]'), function (holder) {
      if (holder.id !== "chart-data" && !holder.classList.contains("year-charts")) { return; }
      var parsed = JSON.parse(holder.textContent);
      Object.keys(parsed).forEach(function (key) { figures[key] = parsed[key]; });
    });
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
    var figure = figures[element.getAttribute("data-chart")];
    if (!figure || element.classList.contains("drawn")) { return; }
    element.classList.add("drawn");
    loadPlotly().then(function (Plotly) {
      return Plotly.newPlot(element, figure.data, figure.layout, {
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
    readFigures(root);
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

  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details"), function (d) { d.open = true; });
  });

  document.addEventListener("DOMContentLoaded", function () {
    yearSwitch();
    watchCharts(document);
  });
})();
