/* The translator's view on an article's change form (helpcenter/translator.py, admin/helpcenter/article/*.html).
 * The server renders everything (English source, diffs, the marker's words in the admin's language); this only
 * moves the English source beside each translation field and marks the tabs of out-of-date languages. It runs
 * after modeltranslation has built its tabs (a jQuery ready callback registered after modeltranslation's). */
(function () {
  "use strict";
  var jq = (window.django && window.django.jQuery) || window.jQuery;
  if (!jq) {
    return;
  }

  function besideFields(data, store) {
    data.languages.forEach(function (lang) {
      data.fields.forEach(function (field) {
        var row = document.querySelector(".form-row.field-" + field + "_" + lang);
        var source = store.querySelector('[data-hc-source="' + field + '"]');
        if (!row || !source) {
          return;
        }
        var aside = source.cloneNode(true);
        var diff = store.querySelector('[data-hc-diff="' + field + '"][data-hc-lang="' + lang + '"]');
        if (diff) {
          aside.appendChild(diff);
        }
        aside.dataset.hcLang = lang;
        row.classList.add("hc-with-source");
        row.appendChild(aside);
      });
    });
  }

  function markStaleTabs(data) {
    data.stale.forEach(function (lang) {
      data.fields.forEach(function (field) {
        var link = document.querySelector('a[href="#tab_id_' + field + "_" + lang + '"]');
        if (!link || link.querySelector(".hc-tab-marker")) {
          return;
        }
        var marker = document.createElement("span");
        marker.className = "hc-tab-marker";
        marker.textContent = "⚠ " + data.marker;
        link.appendChild(marker);
        link.title = data.markerTitle;
        link.parentElement.classList.add("hc-tab-stale");
      });
    });
    // The language switch beside the page title (modeltranslation's) says it too.
    var options = document.querySelectorAll("#modeltranslation-main-switch option");
    options.forEach(function (option) {
      if (data.stale.indexOf(option.textContent.replace("-", "_")) !== -1) {
        option.textContent += " ⚠ " + data.marker;
      }
    });
  }

  jq(function () {
    var blob = document.getElementById("hc-translator");
    var store = document.getElementById("hc-source-asides");
    if (!blob || !store) {
      return;
    }
    var data = JSON.parse(blob.textContent);
    besideFields(data, store);
    markStaleTabs(data);
  });
})();
