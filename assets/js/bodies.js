/* giro-site: the index of bodies (data/index.json), shared by the comparison table
   (index.js) and the compare page (compare.js) as window.giro.bodies: loading and unpacking
   it once, each body's search key made once, how figures are written, and making elements. */
(function () {
  "use strict";

  var giro = window.giro = window.giro || {};
  var numbers = new Intl.NumberFormat("zh-CN", { maximumFractionDigits: 4 });  // made once: cheap to call
  var QUALITY = { ok: "数据自洽", warning: "有提示", error: "有错误" };

  /* A figure as the pages write it: "—" for a blank, "约1,200" for one a report gives only
     approximately (``approximate`` true or 1). */
  function num(value, approximate) {
    return value === null || value === undefined ? "—" : (approximate ? "约" : "") + numbers.format(value);
  }

  function pct(value) {
    return value === null || value === undefined ? "—" : (value * 100).toFixed(1) + "%";
  }

  /* What a search compares: lower case, without spaces and the marks people type or leave out. */
  function normalise(text) {
    return String(text || "").toLowerCase().replace(/[\s·\-_'’]/g, "");
  }

  /* Whether a body matches a normalised query: one look into the key made at load time
     (name and region, full pinyin, initials, joined by a character no query holds). */
  function matches(row, query) {
    return !query || row.key.indexOf(query) !== -1;
  }

  /* The index as objects: each row with its reports (newest first), its reports by year and
     its search key; ``years`` lists every year, newest first; ``bySlug`` finds a body. */
  /* A lookup table with no inherited keys: a slug, year or region code from the address
     ("constructor", "__proto__", "toString") finds nothing rather than Object's own. */
  function table(from) {
    var result = Object.create(null);
    Object.keys(from || {}).forEach(function (key) { result[key] = from[key]; });
    return result;
  }

  function unpack(data) {
    var years = {};
    data.bySlug = table();
    data.regions = table(data.regions);
    data.rows = data.rows.map(function (values, order) {
      var row = { order: order, byYear: table() };
      data.fields.forEach(function (field, i) { row[field] = values[i]; });
      row.reports = row.reports.map(function (values) {
        var report = {};
        data.report_fields.forEach(function (field, i) { report[field] = values[i]; });
        report.quality = data.qualities[report.quality];
        if (report.year !== null) {
          years[report.year] = true;
          if (!row.byYear[report.year]) { row.byYear[report.year] = report; }
        }
        return report;
      });
      row.key = [normalise(row.name + row.region), row.py, row.initials].join("\n");  // one flat string
      data.bySlug[row.slug] = row;
      return row;
    });
    data.years = Object.keys(years).sort().reverse();
    return data;
  }

  function load(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    }).then(unpack);
  }

  /* An element with a class and text; text only ever goes in as textContent, so nothing
     from a report can become markup. */
  function el(tag, text, className) {
    var element = document.createElement(tag);
    if (className) { element.className = className; }
    if (text !== undefined && text !== null) { element.textContent = text; }
    return element;
  }

  /* An option for each year of the index, newest first, after the select's own options. */
  function addYears(select, data) {
    data.years.forEach(function (year) {
      var option = el("option", year + "年");
      option.value = year;
      select.appendChild(option);
    });
  }

  function reportUrl(data, row, report) {
    return data.agency_url.replace("{slug}", row.slug).replace("{id}", report.id);
  }

  giro.bodies = {
    QUALITY: QUALITY, num: num, pct: pct, normalise: normalise, matches: matches, load: load, reportUrl: reportUrl,
    el: el, addYears: addYears, table: table
  };
})();
