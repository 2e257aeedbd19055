/* giro-site: charts drawn when they come into view (plotly.js loaded once, from this
   site), and the year switch on agency pages. Pages work without this script. */
(function () {
  "use strict";

  var figures = null;
  var plotlyLoading = null;

  function chartFigures() {
    if (figures === null) {
      var holder = document.getElementById("chart-data");
      figures = holder ? JSON.parse(holder.textContent) : {};
    }
    return figures;
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
    var figure = chartFigures()[element.getAttribute("data-chart")];
    if (!figure || element.classList.contains("drawn")) { return; }
    element.classList.add("drawn");
    loadPlotly().then(function (Plotly) {
      Plotly.newPlot(element, figure.data, figure.layout, {
        displayModeBar: false, responsive: true, scrollZoom: false, doubleClick: false
      });
    }).catch(function () {
      element.classList.remove("drawn");
      element.textContent = "图表未能加载；数据见下方表格。";
    });
  }

  function watchCharts() {
    var plots = document.querySelectorAll(".chart-plot[data-chart]");
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

  function yearTabs() {
    var nav = document.querySelector("nav.years");
    if (!nav) { return; }
    var links = nav.querySelectorAll("a[data-year]");
    var sections = document.querySelectorAll("section.year");
    document.body.classList.add("js-tabs");

    function show(id, focus) {
      var found = false;
      Array.prototype.forEach.call(sections, function (section) {
        var match = section.id === "y" + id;
        found = found || match;
        section.hidden = !match;
      });
      if (!found) { return false; }
      Array.prototype.forEach.call(links, function (link) {
        if (link.getAttribute("data-year") === id) {
          link.setAttribute("aria-current", "true");
        } else {
          link.removeAttribute("aria-current");
        }
      });
      if (focus) {
        var heading = document.getElementById("h-" + id);
        if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
      }
      return true;
    }

    Array.prototype.forEach.call(links, function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        var id = link.getAttribute("data-year");
        if (show(id, true) && window.history && history.replaceState) {
          history.replaceState(null, "", "#y" + id);
        }
      });
    });
    var wanted = (location.hash.match(/^#y(.+)$/) || [])[1];
    var fromFinding = (location.hash.match(/^#f(.+)-\d+$/) || [])[1];
    if (!show(wanted || fromFinding || "", false)) {
      show(links[0].getAttribute("data-year"), false);
    }
  }

  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details"), function (d) { d.open = true; });
  });

  document.addEventListener("DOMContentLoaded", function () {
    yearTabs();
    watchCharts();
  });
})();
