/* giro-site comparison table: loads every body (data/index.json), one row each with its years,
   and adds search by name, pinyin or initials, filters for region, level, year and quality,
   sorting and paging. The whole view lives in the address (?q=…&region=…&sort=…&page=…), so
   it can be bookmarked and shared. Without this script the table still shows, paged by links.
   Text is only ever set with textContent, so nothing from a report can become markup. */
(function () {
  "use strict";

  var QUALITY = { ok: "数据自洽", warning: "有提示", error: "有错误" };
  var NUMERIC = { year: true, items: true, applications: true, share: true, cases: true };
  var QUALITY_ORDER = { error: 0, warning: 1, ok: 2 };
  var PARAMS = ["q", "region", "level", "year", "quality", "sort", "dir", "page"];

  function formatNumber(value) {
    if (value === null || value === undefined) { return "—"; }
    return Number(value).toLocaleString("zh-CN", { maximumFractionDigits: 4 });
  }

  function formatShare(value) {
    return value === null || value === undefined ? "—" : (value * 100).toFixed(1) + "%";
  }

  function normalise(text) {
    return String(text || "").toLowerCase().replace(/[\s·\-_'’]/g, "");
  }

  function setup(root) {
    var table = root.querySelector("table");
    var tbody = table.querySelector("tbody");
    var form = root.querySelector("form.filters");
    var status = root.querySelector(".status");
    var pager = root.querySelector("nav.pager");
    var search = root.querySelector("#q");
    var selects = {
      province: root.querySelector("#f-province"), city: root.querySelector("#f-city"),
      county: root.querySelector("#f-county"), level: root.querySelector("#f-level"),
      year: root.querySelector("#f-year"), quality: root.querySelector("#f-quality")
    };
    var pageSize = parseInt(root.getAttribute("data-page-size"), 10) || 50;
    var state = { rows: [], shown: [], sortKey: null, sortDir: 1, page: 1 };
    var data = null;

    function cell(tag, text, className) {
      var element = document.createElement(tag);
      if (className) { element.className = className; }
      element.textContent = text;
      return element;
    }

    function reportUrl(row, report) {
      return data.agency_url.replace("{slug}", row.slug).replace("{id}", report.id);
    }

    /* --- the address ------------------------------------------------------------- */

    function regionCode() {
      return selects.county.value || selects.city.value || selects.province.value;
    }

    function writeUrl() {
      var params = new URLSearchParams();
      var values = {
        q: search.value.trim(), region: regionCode(), level: selects.level.value, year: selects.year.value,
        quality: selects.quality.value, sort: state.sortKey || "", dir: state.sortKey && state.sortDir === 1 ? "asc" : "",
        page: state.page > 1 ? String(state.page) : ""
      };
      PARAMS.forEach(function (key) { if (values[key]) { params.set(key, values[key]); } });
      var query = params.toString();
      var url = location.pathname + (query ? "?" + query : "") + location.hash;
      if (url !== location.pathname + location.search + location.hash) { history.replaceState(null, "", url); }
    }

    function readUrl() {
      var params = new URLSearchParams(location.search);
      search.value = params.get("q") || "";
      setRegion(params.get("region") || "");
      ["level", "year", "quality"].forEach(function (key) {
        var value = params.get(key) || "";
        if (Array.prototype.some.call(selects[key].options, function (o) { return o.value === value; })) {
          selects[key].value = value;
        }
      });
      var sort = params.get("sort");
      state.sortKey = sort && table.querySelector('thead th[data-key="' + sort + '"]') ? sort : null;
      state.sortDir = params.get("dir") === "asc" ? 1 : -1;
      if (state.sortKey && !NUMERIC[state.sortKey] && !params.get("dir")) { state.sortDir = -1; }
      markSort();
      return Math.max(1, parseInt(params.get("page"), 10) || 1);
    }

    /* --- region selects: province, then its cities, then the counties -------------- */

    function fill(select, parent, kind) {
      var keep = select.value;
      select.length = 1;
      Object.keys(data.regions).forEach(function (code) {
        var region = data.regions[code];
        if (region[1] === parent && (!kind || region[2] === kind)) {
          var option = cell("option", region[0]);
          option.value = code;
          select.appendChild(option);
        }
      });
      select.value = keep;
      if (select.value !== keep) { select.value = ""; }
      select.disabled = select.length <= 1;
    }

    function refreshRegions() {
      fill(selects.city, selects.province.value || "\0", "city");
      fill(selects.county, selects.city.value || selects.province.value || "\0", "county");
    }

    function setRegion(code) {
      var chain = [];
      for (var current = code; current && data.regions[current]; current = data.regions[current][1]) {
        chain.unshift(current);
      }
      selects.province.value = "";
      selects.city.value = "";
      selects.county.value = "";
      chain.forEach(function (part) {
        var kind = data.regions[part][2];
        refreshRegions();
        if (selects[kind]) { selects[kind].value = part; }
      });
      refreshRegions();
      if (chain.length && data.regions[code][2] === "township") {
        selects.county.setAttribute("data-township", code);
      } else {
        selects.county.removeAttribute("data-township");
      }
    }

    /* --- rows -------------------------------------------------------------------- */

    function renderRows() {
      var pages = Math.max(1, Math.ceil(state.shown.length / pageSize));
      state.page = Math.min(state.page, pages);
      var start = (state.page - 1) * pageSize;
      var fragment = document.createDocumentFragment();
      state.shown.slice(start, start + pageSize).forEach(function (row) {
        var report = row.current;
        var tr = document.createElement("tr");
        var th = document.createElement("th");
        th.setAttribute("scope", "row");
        var link = cell("a", row.name);
        link.href = reportUrl(row, report);
        th.appendChild(link);
        tr.appendChild(th);
        tr.appendChild(cell("td", row.region || "—"));
        tr.appendChild(cell("td", data.levels[row.level] || "—"));
        var years = cell("td", "", "years");
        row.reports.forEach(function (other, index) {
          var year = cell("a", other.year === null ? "？" : String(other.year));
          year.href = reportUrl(row, other);
          if (other === report) { year.setAttribute("aria-current", "true"); }
          if (index) { years.appendChild(document.createTextNode(" ")); }
          years.appendChild(year);
        });
        tr.appendChild(years);
        tr.appendChild(cell("td", formatNumber(report.items)));
        tr.appendChild(cell("td", formatNumber(report.applications)));
        tr.appendChild(cell("td", formatShare(report.share)));
        tr.appendChild(cell("td", formatNumber(report.cases)));
        var quality = cell("td", "");
        quality.appendChild(cell("span", QUALITY[report.quality], "quality quality-" + report.quality));
        tr.appendChild(quality);
        fragment.appendChild(tr);
      });
      tbody.textContent = "";
      tbody.appendChild(fragment);
      status.textContent = "找到 " + state.shown.length.toLocaleString("zh-CN") + " 个机关" +
        (selects.year.value ? "（" + selects.year.value + "年度）" : "，显示各机关最新一年的报告") +
        (pages > 1 ? "，第 " + state.page + "/" + pages + " 页" : "") + "。";
      renderPager(pages);
      writeUrl();
    }

    function renderPager(pages) {
      if (!pager) {
        pager = document.createElement("nav");
        pager.className = "pager";
        pager.setAttribute("aria-label", "分页");
        root.appendChild(pager);
      }
      pager.textContent = "";
      if (pages <= 1) { return; }
      var list = document.createElement("ul");
      function add(label, page, current) {
        var item = document.createElement("li");
        if (current) {
          var span = cell("span", label);
          span.setAttribute("aria-current", "page");
          item.appendChild(span);
        } else {
          var button = cell("button", label);
          button.type = "button";
          button.setAttribute("data-page", String(page));
          button.addEventListener("click", function () {
            state.page = page;
            renderRows();
            table.scrollIntoView({ block: "start" });
          });
          item.appendChild(button);
        }
        list.appendChild(item);
      }
      if (state.page > 1) { add("上一页", state.page - 1, false); }
      for (var p = 1; p <= pages; p++) {
        if (p === 1 || p === pages || Math.abs(p - state.page) <= 2) {
          add(String(p), p, p === state.page);
        } else if (Math.abs(p - state.page) === 3) {
          list.appendChild(cell("li", "…"));
        }
      }
      if (state.page < pages) { add("下一页", state.page + 1, false); }
      pager.appendChild(list);
    }

    function value(row, key) {
      if (key === "name" || key === "region") { return row[key]; }
      if (key === "level") { return row.level < 0 ? null : row.level; }
      if (key === "quality") { return QUALITY_ORDER[row.current.quality]; }
      return row.current[key];
    }

    function compare(a, b) {
      var key = state.sortKey;
      var x = value(a, key);
      var y = value(b, key);
      var xBlank = x === null || x === undefined || x === "";
      var yBlank = y === null || y === undefined || y === "";
      if (xBlank || yBlank) { return xBlank && yBlank ? 0 : xBlank ? 1 : -1; }  // blanks always last
      if (typeof x === "number") { return (x - y) * state.sortDir; }
      return String(x).localeCompare(String(y), "zh-CN") * state.sortDir;
    }

    function apply(keepPage) {
      var query = normalise(search.value);
      var region = selects.county.getAttribute("data-township") || regionCode();
      var level = selects.level.value;
      var year = selects.year.value;
      var quality = selects.quality.value;
      var shown = [];
      state.rows.forEach(function (row) {
        if (query && row.haystack.indexOf(query) === -1 && row.py.indexOf(query) === -1 &&
            row.initials.indexOf(query) === -1) { return; }
        if (region && row.code.indexOf(region) !== 0) { return; }
        if (level !== "" && String(row.level) !== level) { return; }
        var current = row.reports[0];
        if (year) {
          current = null;
          for (var i = 0; i < row.reports.length; i++) {
            if (String(row.reports[i].year) === year) { current = row.reports[i]; break; }
          }
          if (!current) { return; }
        }
        if (quality && current.quality !== quality) { return; }
        row.current = current;
        shown.push(row);
      });
      if (state.sortKey) {
        shown.sort(function (a, b) { return compare(a, b) || a.order - b.order; });
      }
      state.shown = shown;
      if (!keepPage) { state.page = 1; }
      renderRows();
    }

    function markSort() {
      Array.prototype.forEach.call(table.querySelectorAll("thead th[data-key]"), function (th) {
        var key = th.getAttribute("data-key");
        th.setAttribute("aria-sort", key === state.sortKey ? (state.sortDir === 1 ? "ascending" : "descending") : "none");
      });
    }

    function addSortButtons() {
      Array.prototype.forEach.call(table.querySelectorAll("thead th[data-key]"), function (th) {
        var key = th.getAttribute("data-key");
        var button = cell("button", th.textContent);
        button.type = "button";
        button.setAttribute("aria-label", "按“" + th.textContent + "”排序");
        th.textContent = "";
        th.appendChild(button);
        th.setAttribute("aria-sort", "none");
        button.addEventListener("click", function () {
          if (state.sortKey === key) {
            state.sortDir = -state.sortDir;
          } else {
            state.sortKey = key;
            state.sortDir = NUMERIC[key] ? -1 : 1;  // figures: largest first
          }
          markSort();
          apply();
        });
      });
    }

    function load(loaded) {
      data = loaded;
      var fields = data.fields;
      var reportFields = data.report_fields;
      var years = {};
      state.rows = data.rows.map(function (values, order) {
        var row = { order: order };
        fields.forEach(function (field, index) { row[field] = values[index]; });
        row.reports = row.reports.map(function (report) {
          var out = {};
          reportFields.forEach(function (field, index) { out[field] = report[index]; });
          out.quality = data.qualities[out.quality];
          if (out.year !== null) { years[out.year] = true; }
          return out;
        });
        row.current = row.reports[0];
        row.haystack = normalise(row.name + " " + row.region);
        return row;
      });
      Object.keys(years).sort().reverse().forEach(function (year) {
        var option = cell("option", year + "年");
        option.value = year;
        selects.year.appendChild(option);
      });
      data.levels.forEach(function (label, index) {
        var option = cell("option", label);
        option.value = String(index);
        selects.level.appendChild(option);
      });
      fill(selects.province, "", "province");
      form.hidden = false;
      addSortButtons();
      state.page = readUrl();
      search.addEventListener("input", function () { apply(); });
      selects.province.addEventListener("change", function () {
        selects.city.value = ""; selects.county.value = ""; setRegion(selects.province.value); apply();
      });
      selects.city.addEventListener("change", function () {
        selects.county.value = ""; setRegion(selects.city.value || selects.province.value); apply();
      });
      selects.county.addEventListener("change", function () { setRegion(regionCode()); apply(); });
      ["level", "year", "quality"].forEach(function (key) {
        selects[key].addEventListener("change", function () { apply(); });
      });
      form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
      root.classList.add("enhanced");
      apply(true);
    }

    fetch(root.getAttribute("data-index"), { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(load)
      .catch(function () { /* the server-rendered table and its page links stay usable */ });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll(".compare[data-index]"), setup);
  });
})();
