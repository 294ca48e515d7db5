/* 全文搜索：在搜索页上用 Pagefind 的静态索引查找，不需要服务器。
   没有脚本或没有索引时，搜索页提示改用公开目录；页头的搜索框本身是普通表单。 */
(function () {
  var area = document.getElementById("search-area");
  if (!area) { return; }
  var fallback = document.getElementById("search-fallback");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var box = document.getElementById("search-q");
  var form = box && box.form;
  var root = area.getAttribute("data-root");
  var catalog = root + "catalog/index.html";
  var more = document.getElementById("search-more");
  var pagefind = null, latest = 0, timer = null, results = [];
  var LOAD = 200, PAGE = 50;  // results read, results listed per click

  function say(text, withCatalogLink) {
    status.textContent = text;
    if (withCatalogLink) {
      var link = document.createElement("a");
      link.href = catalog;
      link.textContent = "公开目录";
      status.appendChild(document.createTextNode("请通过"));
      status.appendChild(link);
      status.appendChild(document.createTextNode("查找。"));
    }
  }

  function decoded(html) {
    return new DOMParser().parseFromString(html, "text/html").documentElement.textContent;
  }

  // Where a shown excerpt may start. Pagefind starts its excerpt at one of its own words, and its
  // Chinese segmentation does not know every word: it indexes 翠湖公租房小区 as 翠/湖/公租/房/小区,
  // so an excerpt began "湖公租房小区" (the browser's Intl.Segmenter splits it the same way: no
  // dictionary knows every place's name). A word surely starts where a clause does: at the start of
  // the record's text, or after a space or a punctuation mark (、，。《 ... or the "." Pagefind puts
  // after a heading or a paragraph), though not after the "." of 12.5 or the "-" of 2026-11-20.
  // So the excerpt shown starts at a clause start, found in the page's text (data.content):
  //  - a space or a punctuation mark other than an opening one it would begin with is dropped
  //    ("、梧桐苑…" shows "梧桐苑…");
  //  - otherwise it goes back to the start of its clause, when that adds at most BACK characters;
  //  - else its head is dropped up to the first clause start before the first hit;
  //  - and when there is none, it goes back to the start of its clause however far that is.
  // An opening bracket or quote just before the start is kept (the "《" of 《细则》).
  var BACK = 20;
  var SEPARATOR = /[\s\p{P}\p{S}]/u, OPENING = /[\p{Ps}\p{Pi}]/u, LEADING = /[\s\p{Pc}\p{Pd}\p{Pe}\p{Pf}\p{Po}]/u;
  var DIGIT = /\d/, IN_NUMBER = /[.,:\/\-—~～]/;

  function clauseStartsAt(text, i) {
    if (i <= 0) { return true; }
    if (!SEPARATOR.test(text.charAt(i - 1))) { return false; }
    return !(DIGIT.test(text.charAt(i - 2)) && DIGIT.test(text.charAt(i)) && IN_NUMBER.test(text.charAt(i - 1)));
  }

  function shownFrom(text, at, firstHit) {  // where the excerpt found at text[at] is shown from
    var start = at;
    while (start < firstHit && LEADING.test(text.charAt(start))) { start++; }
    if (!clauseStartsAt(text, start)) {
      var clause = start;
      while (!clauseStartsAt(text, clause)) { clause--; }
      var ahead = start + 1;
      while (ahead <= firstHit && !clauseStartsAt(text, ahead)) { ahead++; }
      start = start - clause <= BACK || ahead > firstHit ? clause : ahead;
    }
    while (start > 0 && OPENING.test(text.charAt(start - 1))) { start--; }
    return start;
  }

  function excerpt(data) {  // Pagefind marks hits with <mark>; everything else becomes plain text
    var p = document.createElement("p");
    p.className = "excerpt";
    var parts = (data.excerpt || "").split(/(<mark>[\s\S]*?<\/mark>)/).filter(Boolean).map(function (part) {
      var hit = part.indexOf("<mark>") === 0;
      return {hit: hit, text: decoded(hit ? part.slice(6, -7) : part)};
    });
    var plain = parts.map(function (part) { return part.text; }).join("");
    var text = data.content || "", at = plain ? text.indexOf(plain) : -1;
    if (at >= 0) {  // always, but for a fragment whose text differs from its excerpt's: then shown as is
      var firstHit = at;
      for (var i = 0; i < parts.length && !parts[i].hit; i++) { firstHit += parts[i].text.length; }
      var start = shownFrom(text, at, Math.min(firstHit, at + plain.length));
      if (start < at) {
        parts.unshift({hit: false, text: text.slice(start, at)});
      } else {
        for (var drop = start - at; drop > 0; parts.shift()) {  // only unmarked text is dropped
          if (parts[0].text.length > drop) { parts[0].text = parts[0].text.slice(drop); break; }
          drop -= parts[0].text.length;
        }
      }
      if (text.slice(at + plain.length).trim()) { parts.push({hit: false, text: "…"}); }
    }
    parts.forEach(function (part) {
      if (part.hit) {
        var mark = document.createElement("mark");
        mark.textContent = part.text;
        p.appendChild(mark);
      } else {
        p.appendChild(document.createTextNode(part.text));
      }
    });
    return p;
  }

  function item(data) {
    var li = document.createElement("li");
    var link = document.createElement("a");
    link.href = root + data.url.replace(/^\//, "");
    link.textContent = data.meta.title || data.url;
    li.appendChild(link);
    if (data.meta.catalog) {
      var tag = document.createElement("span");
      tag.className = "tag";
      tag.textContent = data.meta.catalog;
      li.appendChild(document.createTextNode(" "));
      li.appendChild(tag);
    }
    if (data.meta.published) {
      var time = document.createElement("time");
      time.setAttribute("datetime", data.meta.published);
      time.textContent = data.meta.published;
      li.appendChild(document.createTextNode(" "));
      li.appendChild(time);
    }
    li.appendChild(excerpt(data));
    return li;
  }

  function squeezed(text) {  // compare text without spaces and Pagefind's word breaks
    return text.replace(/[\s\u200b]+/g, "").toLowerCase();
  }

  function showMore() {
    var first = null;
    results.slice(list.children.length, list.children.length + PAGE).forEach(function (data) {
      var li = item(data);
      first = first || li;
      list.appendChild(li);
    });
    more.hidden = list.children.length >= results.length;
    return first;
  }

  async function run(query) {
    var mine = ++latest;
    query = query.trim();
    list.replaceChildren();
    results = [];
    more.hidden = true;
    if (!query) { say("请输入要搜索的词语。"); return; }
    say("正在搜索……");
    var found = await pagefind.search(query);
    var loaded = await Promise.all(found.results.slice(0, LOAD).map(function (r) { return r.data(); }));
    if (mine !== latest) { return; }  // a newer query has started
    // Pagefind also returns pages with only part of a Chinese word: those containing it whole come first.
    var needle = squeezed(query), exact = [], related = [];
    loaded.forEach(function (data) { (squeezed(data.content || "").indexOf(needle) >= 0 ? exact : related).push(data); });
    // A page titled exactly what was asked (a project's or a document's name) leads: Pagefind ranks
    // shorter pages that merely mention it higher.
    var titled = exact.filter(function (data) { return squeezed((data.meta || {}).title || "") === needle; });
    exact = titled.concat(exact.filter(function (data) { return titled.indexOf(data) < 0; }));
    results = exact.concat(related);
    showMore();
    var cut = found.results.length > LOAD ? "（只列出最相关的 " + LOAD + " 条）" : "";
    if (exact.length) {
      say("找到 " + exact.length + " 条包含“" + query + "”的信息" +
          (related.length ? "，另有 " + related.length + " 条相关信息" : "") + cut + "。");
    } else if (related.length) {
      say("没有完全包含“" + query + "”的信息，以下 " + related.length + " 条与之相关" + cut + "。");
    } else {
      say("没有找到包含“" + query + "”的信息。", true);
    }
  }

  function fromAddress() {
    return new URLSearchParams(window.location.search).get("q") || "";
  }

  fallback.hidden = true;
  area.hidden = false;
  if (box) { box.value = fromAddress(); }
  // A large site's index is in shards: the others' folders (relative to the site root) are merged
  // into the first one's, so that one search ranks the results of all of them together.
  var merged = (area.getAttribute("data-merge") || "").split(" ").filter(Boolean);
  // Result URLs are the pages' paths from the site root ("/1/x.html", --keep-index-url) with baseUrl
  // "/": Pagefind's default, the folder above its own, repeats that folder when the site is not at
  // the server's root (/zfbz/), and is a whole address for merged indexes.
  var urls = {baseUrl: "/"};
  if (window.location.protocol === "file:") {  // browsers load no index from a file on disk
    say("直接用浏览器打开本机上的文件时不能搜索：用 python -m generator serve 预览，或上传到网站后即可搜索。现在", true);
    return;
  }
  import(area.getAttribute("data-pagefind")).then(function (module) {
    pagefind = module;
    return pagefind.options(urls);
  }).then(function () {
    return pagefind.init();
  }).then(function () {
    return Promise.all(merged.map(function (folder) {
      return pagefind.mergeIndex(new URL(root + folder, window.location.href).href, urls);
    }));
  }).then(function () {
    if (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var url = new URL(window.location.href);
        url.searchParams.set("q", box.value);
        window.history.replaceState(null, "", url);
        run(box.value);
      });
      box.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () { run(box.value); }, 300);
      });
    }
    more.addEventListener("click", function () {
      var first = showMore();
      if (first) { first.querySelector("a").focus(); }
    });
    if (fromAddress()) { run(fromAddress()); } else { say("请在页面上方的搜索框输入要搜索的词语。"); }
  }).catch(function () {
    say("本站暂未提供全文搜索。", true);
  });
})();
