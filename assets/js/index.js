/* giro-site comparison table: loads every report's summary row (data/index.json) and adds
   search by name, pinyin or initials, year and quality filters, sorting and paging.
   Without this script the table still shows, paged by links. Text is only ever set with
   textContent, so nothing from a report can become markup. */
(function () {
  "use strict";

  var QUALITY = { ok: "数据自洽", warning: "有提示", error: "有错误" };
  var COLUMNS = ["name", "region", "year", "items", "applications", "share", "cases", "quality"];
  var NUMERIC = { year: true, items: true, applications: true, share: true, cases: true };
  var QUALITY_ORDER = { error: 0, warning: 1, ok: 2 };

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
    var yearSelect = root.querySelector("#f-year");
    var qualitySelect = root.querySelector("#f-quality");
    var pageSize = parseInt(root.getAttribute("data-page-size"), 10) || 50;
    var state = { rows: [], shown: [], sortKey: null, sortDir: 1, page: 1 };

    function cell(tag, text, className) {
      var element = document.createElement(tag);
      if (className) { element.className = className; }
      element.textContent = text;
      return element;
    }

    function renderRows() {
      var start = (state.page - 1) * pageSize;
      var slice = state.shown.slice(start, start + pageSize);
      var fragment = document.createDocumentFragment();
      slice.forEach(function (row) {
        var tr = document.createElement("tr");
        var th = document.createElement("th");
        th.setAttribute("scope", "row");
        var link = cell("a", row.name);
        link.href = row.url;
        th.appendChild(link);
        tr.appendChild(th);
        tr.appendChild(cell("td", row.region || "—"));
        tr.appendChild(cell("td", row.year === null ? "—" : String(row.year)));
        tr.appendChild(cell("td", formatNumber(row.items)));
        tr.appendChild(cell("td", formatNumber(row.applications)));
        tr.appendChild(cell("td", formatShare(row.share)));
        tr.appendChild(cell("td", formatNumber(row.cases)));
        var quality = cell("td", "");
        quality.appendChild(cell("span", QUALITY[row.quality] || row.quality, "quality quality-" + row.quality));
        tr.appendChild(quality);
        fragment.appendChild(tr);
      });
      tbody.textContent = "";
      tbody.appendChild(fragment);
      var pages = Math.max(1, Math.ceil(state.shown.length / pageSize));
      status.textContent = "找到 " + state.shown.length.toLocaleString("zh-CN") + " 份报告" +
        (pages > 1 ? "，第 " + state.page + "/" + pages + " 页" : "") + "。";
      renderPager(pages);
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

    function matches(row, query) {
      if (!query) { return true; }
      return row.haystack.indexOf(query) !== -1 || row.py.indexOf(query) !== -1 || row.initials.indexOf(query) !== -1;
    }

    function compare(a, b) {
      var key = state.sortKey;
      var x = a[key];
      var y = b[key];
      if (key === "quality") { x = QUALITY_ORDER[x]; y = QUALITY_ORDER[y]; }
      var xBlank = x === null || x === undefined || x === "";
      var yBlank = y === null || y === undefined || y === "";
      if (xBlank || yBlank) { return xBlank && yBlank ? 0 : xBlank ? 1 : -1; }  // blanks always last
      if (NUMERIC[key] || key === "quality") { return (x - y) * state.sortDir; }
      return String(x).localeCompare(String(y), "zh-CN") * state.sortDir;
    }

    function apply() {
      var query = normalise(search.value);
      var year = yearSelect.value;
      var quality = qualitySelect.value;
      state.shown = state.rows.filter(function (row) {
        return matches(row, query) && (!year || String(row.year) === year) && (!quality || row.quality === quality);
      });
      if (state.sortKey) {
        state.shown.sort(function (a, b) { return compare(a, b) || a.order - b.order; });
      }
      state.page = 1;
      renderRows();
    }

    function addSortButtons() {
      Array.prototype.forEach.call(table.querySelectorAll("thead th[data-key]"), function (th) {
        var key = th.getAttribute("data-key");
        if (COLUMNS.indexOf(key) === -1) { return; }
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
          Array.prototype.forEach.call(table.querySelectorAll("thead th[data-key]"), function (other) {
            other.setAttribute("aria-sort", other === th ? (state.sortDir === 1 ? "ascending" : "descending") : "none");
          });
          apply();
        });
      });
    }

    function load(data) {
      var fields = data.fields;
      state.rows = data.rows.map(function (values, order) {
        var row = { order: order };
        fields.forEach(function (field, index) { row[field] = values[index]; });
        row.haystack = normalise(row.name + " " + row.region);
        return row;
      });
      var years = {};
      state.rows.forEach(function (row) { if (row.year !== null) { years[row.year] = true; } });
      Object.keys(years).sort().reverse().forEach(function (year) {
        var option = cell("option", year + "年");
        option.value = year;
        yearSelect.appendChild(option);
      });
      form.hidden = false;
      addSortButtons();
      search.addEventListener("input", apply);
      yearSelect.addEventListener("change", apply);
      qualitySelect.addEventListener("change", apply);
      form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
      root.classList.add("enhanced");
      apply();
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
