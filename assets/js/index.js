/* giro-site comparison table: loads every body (data/index.json, through bodies.js), one row
   each with its years, and adds search by name, pinyin or initials, filters for region, level,
   year and quality, sorting and paging. The whole view lives in the address
   (?q=…&region=…&sort=…&page=…), so it can be bookmarked and shared. Without this script the
   table still shows, paged by links. Text is only ever set with textContent, so nothing from a
   report can become markup. An address with a view (a search shared as /?q=…) opens scrolled
   to the table; the header's search box on the same page filters the table in place.

   A keystroke must redraw within a frame on a slow phone, so the work per keystroke is kept
   to what changed: keystrokes in one frame are handled once (requestAnimationFrame); each
   body's search key is made at load; a query that extends the last one filters only the last
   matches; each sort order is made once and filtering keeps it; only the shown page's rows
   are drawn, into row elements that are reused, a row showing the same report is not
   touched, and the rows below the first screenful follow in the next frames (a newer
   keystroke stops them); the address follows once typing pauses. */
(function () {
  "use strict";

  var bodies = window.giro.bodies;
  var NUMERIC = { year: true, items: true, applications: true, share: true, cases: true };
  var QUALITY_ORDER = { error: 0, warning: 1, ok: 2 };
  var PARAMS = ["q", "region", "level", "year", "quality", "sort", "dir", "page"];
  var ADDRESS_DELAY = 400;  // ms of quiet typing before the address follows the view
  var FIRST_ROWS = 12;  // rows drawn at once: more than a phone shows below the search box
  var MORE_ROWS = 12;  // rows drawn in each following frame
  var collator = new Intl.Collator("zh-CN");

  var cell = bodies.el;

  function setText(element, text) {
    if (element.textContent !== text) { element.textContent = text; }
  }

  /* A report's figures as shown, made the first time it is drawn. */
  function shownFigures(report) {
    if (!report.text) {
      report.text = [bodies.num(report.items, report.approx), bodies.num(report.applications), bodies.pct(report.share),
                     bodies.num(report.cases)];
    }
    return report.text;
  }

  /* Scrolls the element to the top of the view, again in the next frames while the sections
     above it, laid out only when near the view (content-visibility), take their real height. */
  function bringIntoView(element, frames) {
    element.scrollIntoView({ block: "start" });
    if (frames > 0) {
      requestAnimationFrame(function () {
        if (Math.abs(element.getBoundingClientRect().top) > 1) { bringIntoView(element, frames - 1); }
      });
    }
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
    var state = { sortKey: null, sortDir: 1, page: 1 };
    var data = null;
    var children = bodies.table();  // region code → codes of the regions directly under it
    var orders = {};  // "sortKey dir year" → every body in that order
    var base = { filters: null, rows: [] };  // the bodies passing the filters but the search
    var last = { query: null, shown: null };  // the last search, to narrow from
    var slots = [];  // the table's row elements, reused
    var drawn = { pager: null, status: null };
    var frame = 0;  // the frame that handles the latest keystrokes
    var rest = 0;  // the frame that draws more rows of the page
    var addressTimer = 0;

    /* --- the address ------------------------------------------------------------- */

    function regionCode() {
      return selects.county.value || selects.city.value || selects.province.value;
    }

    function writeUrl() {
      clearTimeout(addressTimer);
      addressTimer = 0;
      var params = new URLSearchParams();
      var values = {
        q: search.value.trim(), region: selects.county.getAttribute("data-township") || regionCode(),
        level: selects.level.value, year: selects.year.value, quality: selects.quality.value,
        sort: state.sortKey || "", dir: state.sortKey && state.sortDir === 1 ? "asc" : "",
        page: state.page > 1 ? String(state.page) : ""
      };
      PARAMS.forEach(function (key) { if (values[key]) { params.set(key, values[key]); } });
      var query = params.toString();
      var url = location.pathname + (query ? "?" + query : "") + location.hash;
      if (url !== location.pathname + location.search + location.hash) { history.replaceState(null, "", url); }
    }

    function writeUrlSoon() {
      clearTimeout(addressTimer);
      addressTimer = setTimeout(writeUrl, ADDRESS_DELAY);
    }

    function flushUrl() {
      if (addressTimer) { writeUrl(); }
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
      // Without ?page=, the page the server rendered (agencies/3/ is page 3).
      var page = parseInt(params.get("page"), 10) || parseInt(root.getAttribute("data-page"), 10) || 1;
      return Math.max(1, page);
    }

    /* --- region selects: province, then its cities, then the counties -------------- */

    function fill(select, parent, kind) {
      var keep = select.value;
      select.length = 1;
      (children[parent] || []).forEach(function (code) {
        if (!kind || data.regions[code][2] === kind) {
          var option = cell("option", data.regions[code][0]);
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

    /* --- filtering and order --------------------------------------------------------- */

    /* The report a body shows: the chosen year's, else its latest. */
    function currentOf(row, year) {
      return year ? row.byYear[year] : row.reports[0];
    }

    function value(row, report, key) {
      if (key === "name" || key === "region") { return row[key]; }
      if (key === "level") { return row.level < 0 ? null : row.level; }
      if (key === "quality") { return QUALITY_ORDER[report.quality]; }
      return report[key];
    }

    function blank(x) {
      return x === null || x === undefined || x === "";
    }

    /* Every body in the order of a sort, made once per sort, direction and year: filtering
       keeps the order, so a keystroke never sorts. Blanks always last; ties in index order. */
    function ordered(year) {
      if (!state.sortKey) { return data.rows; }
      var name = state.sortKey + " " + state.sortDir + " " + year;
      if (!orders[name]) {
        var key = state.sortKey;
        var dir = state.sortDir;
        var keyed = data.rows.map(function (row) {
          var report = currentOf(row, year);
          return { row: row, value: report ? value(row, report, key) : null };
        });
        keyed.sort(function (a, b) {
          var x = a.value;
          var y = b.value;
          var xBlank = blank(x);
          var yBlank = blank(y);
          var order = 0;
          if (xBlank || yBlank) {
            order = xBlank && yBlank ? 0 : xBlank ? 1 : -1;
          } else if (typeof x === "number") {
            order = (x - y) * dir;
          } else {
            order = collator.compare(String(x), String(y)) * dir;
          }
          return order || a.row.order - b.row.order;
        });
        orders[name] = keyed.map(function (entry) { return entry.row; });
      }
      return orders[name];
    }

    /* The bodies that pass the filters other than the search, in the view's order: made
       when a filter or the sort changes, not on keystrokes. */
    function passing() {
      var region = selects.county.getAttribute("data-township") || regionCode();
      var level = selects.level.value === "" ? null : Number(selects.level.value);
      var year = selects.year.value;
      var quality = selects.quality.value;
      var filters = [region, level, year, quality, state.sortKey, state.sortDir].join("\n");
      if (filters !== base.filters) {
        var rows = [];
        ordered(year).forEach(function (row) {
          var report = currentOf(row, year);
          if (report && (!region || row.code.indexOf(region) === 0) && (level === null || row.level === level) &&
              (!quality || report.quality === quality)) {
            rows.push(row);
          }
        });
        base = { filters: filters, rows: rows };
        last = { query: null, shown: null };
      }
      return base.rows;
    }

    /* The bodies the view shows, in order: those passing the filters whose search key holds
       the query. A query that only grew (typing on) looks only at the last one's bodies. */
    function filter() {
      var from = passing();
      var query = bodies.normalise(search.value);
      if (query === last.query) { return last.shown; }
      if (!query) {
        last = { query: query, shown: from };
        return from;
      }
      if (last.query !== null && query.indexOf(last.query) !== -1) { from = last.shown; }
      var shown = [];
      for (var i = 0; i < from.length; i++) {
        if (from[i].key.indexOf(query) !== -1) { shown.push(from[i]); }
      }
      last = { query: query, shown: shown };
      return shown;
    }

    /* --- drawing ------------------------------------------------------------------- */

    function makeSlot() {
      var tr = document.createElement("tr");
      var th = document.createElement("th");
      th.setAttribute("scope", "row");
      var link = cell("a");
      th.appendChild(link);
      tr.appendChild(th);
      var cells = [];
      for (var i = 0; i < 7; i++) { cells.push(tr.appendChild(cell("td"))); }
      cells[2].className = "years";
      var quality = cell("span");
      tr.appendChild(cell("td")).appendChild(quality);
      return { tr: tr, link: link, cells: cells, quality: quality, row: null, report: null };
    }

    function drawSlot(slot, row, report) {
      if (slot.row === row && slot.report === report) { return; }
      var cells = slot.cells;
      setText(slot.link, row.name);
      slot.link.href = bodies.reportUrl(data, row, report);
      setText(cells[0], row.region || "—");
      setText(cells[1], data.levels[row.level] || "—");
      var years = cells[2];
      years.textContent = "";
      row.reports.forEach(function (other, index) {
        var year = cell("a", other.year === null ? "？" : String(other.year));
        year.href = bodies.reportUrl(data, row, other);
        if (other === report) { year.setAttribute("aria-current", "true"); }
        if (index) { years.appendChild(document.createTextNode(" ")); }
        years.appendChild(year);
      });
      var figures = shownFigures(report);
      for (var i = 0; i < 4; i++) { setText(cells[3 + i], figures[i]); }
      setText(slot.quality, bodies.QUALITY[report.quality]);
      if (slot.quality.className !== "quality quality-" + report.quality) {
        slot.quality.className = "quality quality-" + report.quality;
      }
      slot.row = row;
      slot.report = report;
    }

    /* Rows ``from``…``to`` of the page into their slots, in order (slots are added at the
       end, so a slot's place in the table is its index). */
    function drawRows(view, from, to) {
      for (var i = from; i < to; i++) {
        if (!slots[i]) { slots.push(makeSlot()); }
        var row = view.shown[view.start + i];
        drawSlot(slots[i], row, currentOf(row, view.year));
        if (slots[i].tr.parentNode !== tbody) { tbody.appendChild(slots[i].tr); }
      }
    }

    /* The page's rows after the first screenful, a few each frame; a newer view stops them. */
    function drawRest(view, from) {
      rest = requestAnimationFrame(function () {
        var to = Math.min(view.count, from + MORE_ROWS);
        drawRows(view, from, to);
        if (to < view.count) {
          drawRest(view, to);
        } else {
          rest = 0;
          table.removeAttribute("aria-busy");
        }
      });
    }

    /* Draws the shown page: the first screenful of rows now, the rest in the next frames
       (the rows below keep what they showed until their turn, the table is marked busy);
       a row already showing its report costs nothing. ``whole`` draws every row at once. */
    function draw(shown, whole) {
      var year = selects.year.value;
      var pages = Math.max(1, Math.ceil(shown.length / pageSize));
      state.page = Math.min(state.page, pages);
      var start = (state.page - 1) * pageSize;
      var view = { shown: shown, start: start, year: year, count: Math.min(pageSize, shown.length - start) };
      cancelAnimationFrame(rest);
      rest = 0;
      if (!slots.length) { tbody.textContent = ""; }  // the server's rows give way to the reusable ones
      var first = whole ? view.count : Math.min(view.count, FIRST_ROWS);
      drawRows(view, 0, first);
      for (var j = view.count; j < slots.length && slots[j].tr.parentNode === tbody; j++) {
        tbody.removeChild(slots[j].tr);
      }
      if (first < view.count) {
        table.setAttribute("aria-busy", "true");
        drawRest(view, first);
      } else {
        table.removeAttribute("aria-busy");
      }
      var text = "找到 " + shown.length.toLocaleString("zh-CN") + " 个机关" +
        (year ? "（" + year + "年度）" : "，显示各机关最新一年的报告") +
        (pages > 1 ? "，第 " + state.page + "/" + pages + " 页" : "") + "。";
      if (text !== drawn.status) { status.textContent = drawn.status = text; }
      if (pages + "/" + state.page !== drawn.pager) {
        drawn.pager = pages + "/" + state.page;
        drawPager(pages);
      }
      root.setAttribute("data-shown", search.value);  // what the table shows (the benchmark waits for it)
    }

    function drawPager(pages) {
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

    /* Filters and draws the view; ``typing`` lets the address wait for a pause, ``whole``
       draws every row of the page at once. */
    function apply(keepPage, typing, whole) {
      if (!keepPage) { state.page = 1; }
      draw(filter(), whole);
      if (typing) { writeUrlSoon(); } else { writeUrl(); }
    }

    /* Keystrokes: the view follows the latest value once per frame. */
    function onInput() {
      cancelAnimationFrame(rest);  // the rows of the view being left are not worth drawing
      rest = 0;
      if (frame) { return; }
      frame = requestAnimationFrame(function () {
        frame = 0;
        apply(false, true);
      });
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
      Object.keys(data.regions).forEach(function (code) {
        var parent = data.regions[code][1];
        (children[parent] = children[parent] || []).push(code);
      });
      bodies.addYears(selects.year, data);
      data.levels.forEach(function (label, index) {
        var option = cell("option", label);
        option.value = String(index);
        selects.level.appendChild(option);
      });
      fill(selects.province, "", "province");
      form.hidden = false;
      addSortButtons();
      state.page = readUrl();
      search.addEventListener("input", onInput);
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
      if (pager) { pager.textContent = ""; }  // the server's page links give way to buttons
      root.addEventListener("click", function (event) {
        var button = event.target.closest ? event.target.closest("nav.pager button[data-page]") : null;
        if (!button) { return; }
        state.page = parseInt(button.getAttribute("data-page"), 10);
        apply(true);
        table.scrollIntoView({ block: "start" });
      });
      // Leaving before the address caught up with the typing: it catches up first.
      document.addEventListener("click", flushUrl, true);
      window.addEventListener("pagehide", flushUrl);
      apply(true, false, true);
      root.classList.add("enhanced");
      var place = root.closest("section") || root;  // the table's section: its heading, filters and rows
      // A shared search or view (/?q=…) opens at the table, its filters in view.
      var params = new URLSearchParams(location.search);
      if (!location.hash && PARAMS.some(function (key) { return params.has(key); })) { bringIntoView(place, 8); }
      // The header's search box on this page filters this table rather than loading it again.
      var header = document.querySelector("form.site-search");
      if (header && new URL(header.action, location.href).pathname === location.pathname) {
        header.addEventListener("submit", function (event) {
          event.preventDefault();
          search.value = header.querySelector("input").value;
          apply();
          bringIntoView(place, 8);
          search.focus({ preventScroll: true });
        });
      }
    }

    bodies.load(root.getAttribute("data-index"))
      .then(load)
      .catch(function () { /* the server-rendered table and its page links stay usable */ });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll(".compare[data-index]"), setup);
  });
})();
