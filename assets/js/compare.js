/* giro-site comparison: 2–4 bodies (or one and its region's median) side by side — headline
   figures, the form's tables and two charts. The choice lives in the address
   (?a=slug&a=slug&year=2022&median=1), so a link opens the same comparison; everything is read
   from the site's own files (data/index.json through bodies.js, and each agency's data file),
   no server; plotly.js is loaded by site.js. Text is only ever set with textContent, and
   what plotly.js draws (names, labels) goes through plain(), as plotly reads a few HTML tags
   in its text.

   The search is a combobox (ARIA 1.2): typing lists matching bodies in a listbox, the arrow
   keys move through them, Enter adds the one marked, Escape closes the list (or clears the
   box when it is closed); focus stays in the box throughout. */
(function () {
  "use strict";

  var MAX = 4;
  var shared = window.giro.bodies;  // bodies.js
  var num = shared.num;
  var pct = shared.pct;
  var el = shared.el;

  function median(values) {
    var present = values.filter(function (v) { return v !== null && v !== undefined; }).sort(function (a, b) { return a - b; });
    if (!present.length) { return null; }
    var middle = Math.floor(present.length / 2);
    return present.length % 2 ? present[middle] : (present[middle - 1] + present[middle]) / 2;
  }

  /* The median of a figure over the peer reports, as the median column shows it: over the
     reports that state it only, saying how many when not all do ("—" when none does), and
     约 when any of them is approximate (``approximate`` tells which). */
  function medianText(reports, get, format, approximate) {
    var stated = reports.filter(function (r) { return get(r) !== null && get(r) !== undefined; });
    var value = median(stated.map(get));
    if (value === null) { return "—"; }
    var rough = approximate && stated.some(approximate);
    return format(value, rough) + (stated.length < reports.length ? "（" + stated.length + "个机关填写）" : "");
  }

  /* Text for plotly.js as the characters it is: plotly reads <b>, <i>, <sup>, <br> and
     <a href> in trace names and labels, and turns entities back into characters. */
  function plain(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function year(value) {
    return value === null || value === undefined ? "—" : String(value);  // never "2,024"
  }

  function sum(values) {
    var present = values.filter(function (v) { return v !== null && v !== undefined; });
    return present.length ? present.reduce(function (a, b) { return a + b; }, 0) : null;
  }

  function setup(root) {
    var labels = JSON.parse(root.getAttribute("data-labels"));
    var dataTemplate = root.getAttribute("data-agency-data");
    var form = root.querySelector("form.picker");
    var search = root.querySelector("#c-q");
    var yearSelect = root.querySelector("#c-year");
    var medianBox = root.querySelector("#c-median");
    var suggestions = root.querySelector(".suggestions");
    var hint = root.querySelector(".suggestions-hint");
    var chosenList = root.querySelector(".chosen");
    var status = root.querySelector(".status");
    var results = root.querySelector(".compare-results");
    var index = null;
    var bySlug = shared.table();
    var found = [];  // the bodies the list of suggestions shows
    var active = -1;  // the one marked by the arrow keys
    var state = { slugs: [], year: "", median: false };
    var files = {};

    function writeUrl() {
      var params = new URLSearchParams();
      state.slugs.forEach(function (slug) { params.append("a", slug); });
      if (state.year) { params.set("year", state.year); }
      if (state.median) { params.set("median", "1"); }
      history.replaceState(null, "", location.pathname + "?" + params.toString());
    }

    function readUrl() {
      var params = new URLSearchParams(location.search);
      var slugs = [];
      params.getAll("a").forEach(function (value) {
        value.split(",").forEach(function (slug) {
          if (bySlug[slug] && slugs.indexOf(slug) === -1 && slugs.length < MAX) { slugs.push(slug); }
        });
      });
      state.slugs = slugs;
      state.year = params.get("year") || "";
      state.median = params.get("median") === "1";
      yearSelect.value = state.year;
      if (yearSelect.value !== state.year) { state.year = ""; yearSelect.value = ""; }
      medianBox.checked = state.median;
    }

    /* An agency's data file is gzip-compressed JSON. A host that sends it with
       Content-Encoding: gzip has already inflated it; otherwise the browser's own
       DecompressionStream does. */
    function inflate(buffer) {
      var bytes = new Uint8Array(buffer);
      if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) { return new TextDecoder().decode(bytes); }
      var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
      return new Response(stream).text();
    }

    function agencyFile(slug) {
      if (!files[slug]) {
        files[slug] = fetch(dataTemplate.replace("{slug}", slug), { credentials: "same-origin" })
          .then(function (response) {
            if (!response.ok) { throw new Error("HTTP " + response.status); }
            return response.arrayBuffer();
          })
          .then(inflate)
          .then(JSON.parse);
      }
      return files[slug];
    }

    /* The report a body shows: the chosen year's, else its latest. */
    function pick(row) {
      for (var i = 0; i < row.reports.length; i++) {
        if (!state.year || String(row.reports[i].year) === state.year) { return i; }
      }
      return -1;
    }

    function peersOf(row, year) {
      var region = row.code;
      var info = index.regions[row.code];
      if (info && data_level(row) !== "部门" && info[1]) { region = info[1]; }
      var peers = index.rows.filter(function (other) {
        return other.level === row.level && region && other.code.indexOf(region) === 0;
      });
      var reports = [];
      peers.forEach(function (other) {
        other.reports.forEach(function (report) { if (report.year === year) { reports.push(report); } });
      });
      var name = index.regions[region] ? index.regions[region][0] : "";
      return { name: name, reports: reports };
    }

    function data_level(row) { return index.levels[row.level] || ""; }

    function renderChosen() {
      chosenList.textContent = "";
      state.slugs.forEach(function (slug) {
        var item = el("li");
        item.appendChild(el("span", bySlug[slug].name + " "));
        var remove = el("button", "移除");
        remove.type = "button";
        remove.setAttribute("aria-label", "移除" + bySlug[slug].name);
        remove.addEventListener("click", function () {
          state.slugs.splice(state.slugs.indexOf(slug), 1);
          update();
        });
        item.appendChild(remove);
        chosenList.appendChild(item);
      });
    }

    function choose(row) {
      state.slugs.push(row.slug);
      search.value = "";
      close();
      update();
      search.focus();
    }

    function close() {
      suggestions.hidden = true;
      suggestions.textContent = "";
      found = [];
      mark(-1);
      search.setAttribute("aria-expanded", "false");
    }

    /* Marks one suggestion (-1: none) as the one Enter adds. */
    function mark(at) {
      active = at;
      Array.prototype.forEach.call(suggestions.children, function (item, i) {
        item.setAttribute("aria-selected", i === at ? "true" : "false");
        item.classList.toggle("active", i === at);
      });
      if (at < 0) {
        search.removeAttribute("aria-activedescendant");
      } else {
        var item = suggestions.children[at];
        search.setAttribute("aria-activedescendant", item.id);
        if (item.scrollIntoView) { item.scrollIntoView({ block: "nearest" }); }
      }
    }

    function suggest() {
      var query = shared.normalise(search.value);
      close();
      if (!query || state.slugs.length >= MAX) {
        hint.textContent = state.slugs.length >= MAX && query ? "最多对比 " + MAX + " 个机关。" : "";
        return;
      }
      for (var i = 0; i < index.rows.length && found.length < 8; i++) {
        var row = index.rows[i];
        if (state.slugs.indexOf(row.slug) === -1 && shared.matches(row, query)) { found.push(row); }
      }
      found.forEach(function (row, i) {
        var item = el("li", row.name + (row.region ? "（" + row.region + "）" : ""));
        item.id = "c-option-" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        // The pointer picks without taking focus from the box.
        item.addEventListener("mousedown", function (event) { event.preventDefault(); });
        item.addEventListener("click", function () { choose(row); });
        suggestions.appendChild(item);
      });
      suggestions.hidden = !found.length;
      search.setAttribute("aria-expanded", found.length ? "true" : "false");
      hint.textContent = found.length ? "找到 " + found.length + " 个机关，用上下方向键选择，回车添加。" : "没有找到匹配的机关。";
    }

    function onKey(event) {
      var open = !suggestions.hidden && found.length;
      if (event.key === "ArrowDown" || event.key === "Down") {
        event.preventDefault();
        if (!open) { suggest(); }
        if (found.length) { mark(active + 1 < found.length ? active + 1 : 0); }
      } else if (event.key === "ArrowUp" || event.key === "Up") {
        event.preventDefault();
        if (!open) { suggest(); }
        if (found.length) { mark(active > 0 ? active - 1 : found.length - 1); }
      } else if (event.key === "Enter") {
        event.preventDefault();  // the form is not sent
        if (open && active >= 0) { choose(found[active]); }
      } else if (event.key === "Escape" || event.key === "Esc") {
        if (open) {
          event.preventDefault();
          close();
        } else if (search.value) {
          event.preventDefault();
          search.value = "";
          hint.textContent = "";
        }
      }
    }

    /* A table of the comparison; a row is its cells (the first is its header cell) or
       {cells, className}; ``labelledBy`` names the table by a heading already on the page
       instead of a caption that would repeat it. */
    function table(caption, head, rows, labelledBy) {
      var wrap = el("div", null, "table-wrap");
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("role", "region");
      wrap.setAttribute("aria-label", caption + "（可横向滚动）");
      var t = el("table", null, "data compare-side");
      if (labelledBy) {
        t.setAttribute("aria-labelledby", labelledBy);
      } else {
        t.appendChild(el("caption", caption));
      }
      var tr = el("tr");
      head.forEach(function (text) {
        var th = el("th", text);
        th.setAttribute("scope", "col");
        tr.appendChild(th);
      });
      var thead = el("thead");
      thead.appendChild(tr);
      t.appendChild(thead);
      var tbody = el("tbody");
      rows.forEach(function (entry) {
        var cells = entry.cells || entry;
        var row = el("tr", null, entry.className || null);
        var th = el("th", cells[0]);
        th.setAttribute("scope", "row");
        row.appendChild(th);
        cells.slice(1).forEach(function (value) { row.appendChild(el("td", value)); });
        tbody.appendChild(row);
      });
      t.appendChild(tbody);
      wrap.appendChild(t);
      return wrap;
    }

    /* Table 三's totals column with the form's group headings (（三）不予公开 over
       1.属于国家秘密…); a heading shows when a row under it shows, with figures only where
       it is a row of the form itself. */
    function applicationRows(bodies) {
      var entries = labels.applications;
      function present(key) {
        return key !== null && bodies.some(function (b) { return b.report.applications[key] !== undefined; });
      }
      var shown = entries.map(function (entry) { return !entry.heading && present(entry.key); });
      for (var i = entries.length - 1; i >= 0; i--) {
        if (!entries[i].heading) { continue; }
        var any = present(entries[i].key);
        for (var j = i + 1; j < entries.length && entries[j].level > entries[i].level; j++) {
          any = any || shown[j];
        }
        shown[i] = any;
      }
      var rows = [];
      entries.forEach(function (entry, k) {
        if (!shown[k]) { return; }
        var cells = [entry.label].concat(bodies.map(function (b) {
          var row = entry.key === null ? undefined : b.report.applications[entry.key];
          return entry.heading && row === undefined ? "" : num((row || {}).total);
        }));
        rows.push({ cells: cells, className: entry.heading ? "block" : entry.level > 1 ? "sub" : "" });
      });
      return rows;
    }

    function chart(title, data, layout, note) {
      var figure = el("figure", null, "chart");
      figure.appendChild(el("figcaption", title));
      var plot = el("div", null, "chart-plot");
      plot.setAttribute("role", "img");
      plot.setAttribute("aria-label", title + "：图表，数据见上方表格");
      figure.appendChild(plot);
      if (note) { figure.appendChild(el("p", note, "note chart-note")); }
      window.giro.loadPlotly().then(function (Plotly) {
        var base = { height: 320, margin: { l: 10, r: 10, t: 40, b: 30 }, font: { family: labels.font, size: 13 },
                     paper_bgcolor: "#ffffff", plot_bgcolor: "#ffffff", separators: ".,", showlegend: true,
                     legend: { orientation: "h", x: 0, y: 1.02, xanchor: "left", yanchor: "bottom" } };
        Object.keys(layout).forEach(function (key) { base[key] = layout[key]; });
        return Plotly.newPlot(plot, data, base, { displayModeBar: false, responsive: true, scrollZoom: false });
      }).catch(function () { plot.textContent = "图表未能加载；数据见上方表格。"; });
      return figure;
    }

    function show(bodies, medianColumn) {
      results.textContent = "";
      var names = bodies.map(function (b) { return b.row.name; });
      if (medianColumn) { names.push(medianColumn.label); }
      var head = ["项目"].concat(names);
      function figures(get, format, medianValue) {
        var cells = bodies.map(function (b) { return format(get(b)); });
        if (medianColumn) { cells.push(medianValue === undefined || medianValue === null ? "—" : String(medianValue)); }
        return cells;
      }
      var mc = medianColumn || {};
      var headline = [
        ["地区"].concat(figures(function (b) { return b.row.region || "—"; }, String, mc.region)),
        ["层级"].concat(figures(function (b) { return data_level(b.row) || "—"; }, String, mc.level)),
        ["年度"].concat(figures(function (b) { return b.report.year; }, year, mc.year)),
        ["主动公开政府信息（条）"].concat(figures(function (b) { return num(b.summary.items, b.summary.approx); }, String,
          mc.items)),
        ["本年新收申请（件）"].concat(figures(function (b) { return b.summary.applications; }, num, mc.applications)),
        ["予以公开或部分公开"].concat(figures(function (b) { return b.summary.share; }, pct, mc.share)),
        ["行政复议和诉讼（件）"].concat(figures(function (b) { return b.summary.cases; }, num, mc.cases)),
        ["数据质量"].concat(figures(function (b) { return shared.QUALITY[b.summary.quality]; }, String, "—"))
      ];
      var section = el("section");
      var title = el("h2", "主要数字");
      title.id = "c-headline";
      section.appendChild(title);
      section.appendChild(table("主要数字", head, headline, title.id));
      var links = el("p", null, "note");
      bodies.forEach(function (b, i) {
        var link = el("a", b.row.name + " " + (b.report.year || "") + "年度报告");
        link.href = shared.reportUrl(index, b.row, b.summary);
        if (i) { links.appendChild(document.createTextNode(" · ")); }
        links.appendChild(link);
      });
      section.appendChild(links);
      results.appendChild(section);

      var bodyHead = ["表格行"].concat(bodies.map(function (b) { return b.row.name; }));
      var proactive = labels.proactive.filter(function (entry) {
        return bodies.some(function (b) { return (b.report.proactive[entry[0]] || {})[entry[1]] !== undefined; });
      }).map(function (entry) {
        return [entry[2]].concat(bodies.map(function (b) { return num((b.report.proactive[entry[0]] || {})[entry[1]]); }));
      });
      var applications = applicationRows(bodies);
      var review = [];
      labels.review.forEach(function (group) {
        labels.review_outcomes.forEach(function (outcome) {
          review.push([group[1] + " · " + outcome[1]].concat(bodies.map(function (b) {
            return num((b.report.review_litigation[group[0]] || {})[outcome[0]]);
          })));
        });
      });
      var tables = el("section");
      tables.appendChild(el("h2", "国家表格"));
      tables.appendChild(el("p", "空白显示为“—”，不等于0。表三为各行的总计列。", "note"));
      tables.appendChild(table("二、主动公开政府信息情况", bodyHead, proactive));
      tables.appendChild(table("三、收到和处理政府信息公开申请情况（总计）", bodyHead, applications));
      tables.appendChild(table("四、政府信息公开行政复议、行政诉讼情况", bodyHead, review));
      results.appendChild(tables);

      var charts = el("section");
      charts.appendChild(el("h2", "图表"));
      var grid = el("div", null, "chart-grid");
      var outcomeData = bodies.map(function (b, i) {
        return { type: "bar", name: plain(b.row.name), x: labels.outcomes.map(function (o) { return plain(o[1]); }),
                 y: labels.outcomes.map(function (o) {
                   return sum(o[2].map(function (key) { return (b.report.applications[key] || {}).total; }));
                 }), marker: { color: labels.palette[i % labels.palette.length] } };
      });
      // A group's bar is the sum of the rows a report states, as on a body's page; where some
      // of its rows are blank the note says so, body by body, so a partial sum is never read
      // as the group's whole.
      var partial = bodies.map(function (b) {
        var groups = labels.outcomes.filter(function (o) {
          var stated = o[2].filter(function (key) {
            var cell = (b.report.applications[key] || {}).total;
            return cell !== null && cell !== undefined;
          }).length;
          return o[2].length > 1 && stated > 0 && stated < o[2].length;
        });
        return groups.length ? b.row.name + "：" + groups.map(function (o) { return o[1]; }).join("、") : "";
      }).filter(Boolean);
      grid.appendChild(chart("申请办理结果（件）", outcomeData, { barmode: "group",
        yaxis: { rangemode: "tozero", fixedrange: true, automargin: true }, xaxis: { fixedrange: true, automargin: true } },
        partial.length ? "有空白的行，只计填写了数字的行（" + partial.join("；") + "）。" : ""));
      // Every year from the first any body reported to the last, in order: a year a body
      // has no report for (or left the figure blank) is a gap in its line.
      var years = [];
      bodies.forEach(function (b) {
        b.row.reports.forEach(function (r) { if (r.year !== null && years.indexOf(r.year) === -1) { years.push(r.year); } });
      });
      years.sort(function (x, y) { return x - y; });
      var span = years.length ? Array.apply(null, Array(years[years.length - 1] - years[0] + 1)).map(function (_, k) {
        return years[0] + k;
      }) : [];
      var trendData = bodies.map(function (b, i) {
        return { type: "scatter", mode: "lines+markers", name: plain(b.row.name),
                 x: span.map(String),
                 y: span.map(function (y) {
                   var report = b.row.byYear[y];
                   return report && report.applications !== null && report.applications !== undefined ?
                     report.applications : null;
                 }),
                 connectgaps: false, line: { color: labels.palette[i % labels.palette.length] } };
      });
      grid.appendChild(chart("历年新收申请（件）", trendData, {
        xaxis: { type: "category", categoryorder: "array", categoryarray: span.map(String), fixedrange: true },
        yaxis: { rangemode: "tozero", fixedrange: true, automargin: true } }));
      charts.appendChild(grid);
      results.appendChild(charts);
    }

    function render() {
      var rows = state.slugs.map(function (slug) { return bySlug[slug]; });
      var wanted = state.median ? 1 : 2;
      if (rows.length < wanted) {
        results.textContent = "";
        status.textContent = rows.length ? "请再选择至少一个机关，或勾选“加上所在地区同层级机关的中位数”。" :
          "请在上方搜索并添加 2 至 4 个机关。";
        return;
      }
      var missing = rows.filter(function (row) { return pick(row) < 0; });
      if (missing.length) {
        results.textContent = "";
        status.textContent = missing.map(function (r) { return r.name; }).join("、") + "没有" + state.year + "年度的报告。";
        return;
      }
      if (!dataTemplate) { status.textContent = "本站没有发布各机关的数据文件，无法对比表格。"; return; }
      status.textContent = "正在读取各机关的数据……";
      Promise.all(rows.map(function (row) { return agencyFile(row.slug); })).then(function (loaded) {
        var bodies = rows.map(function (row, i) {
          var at = pick(row);
          return { row: row, summary: row.reports[at], report: loaded[i][at] };
        });
        var medianColumn = null;
        if (state.median) {
          var first = bodies[0];
          var peers = peersOf(first.row, first.summary.year);
          medianColumn = {
            label: (peers.name || "所在地区") + data_level(first.row) + "中位数（" + peers.reports.length + "个）",
            region: peers.name || "—", level: data_level(first.row), year: first.summary.year,
            items: medianText(peers.reports, function (r) { return r.items; }, num, function (r) { return r.approx; }),
            applications: medianText(peers.reports, function (r) { return r.applications; }, num),
            share: medianText(peers.reports, function (r) { return r.share; }, pct),
            cases: medianText(peers.reports, function (r) { return r.cases; }, num)
          };
        }
        show(bodies, medianColumn);
        status.textContent = "对比 " + bodies.map(function (b) { return b.row.name; }).join("、") +
          (medianColumn ? " 与" + medianColumn.label : "") + "。";
      }).catch(function () {
        status.textContent = "无法读取机关数据，请稍后再试。";
      });
    }

    function update() {
      writeUrl();
      renderChosen();
      render();
    }

    shared.load(root.getAttribute("data-index"))
      .then(function (data) {
        index = data;
        bySlug = data.bySlug;
        shared.addYears(yearSelect, data);
        readUrl();
        form.hidden = false;
        search.addEventListener("input", suggest);
        search.addEventListener("keydown", onKey);
        search.addEventListener("blur", close);
        yearSelect.addEventListener("change", function () { state.year = yearSelect.value; update(); });
        medianBox.addEventListener("change", function () { state.median = medianBox.checked; update(); });
        form.addEventListener("submit", function (event) { event.preventDefault(); });
        renderChosen();
        render();
      })
      .catch(function () { status.textContent = "无法读取机关列表。"; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll(".comparison[data-index]"), setup);
  });
})();
