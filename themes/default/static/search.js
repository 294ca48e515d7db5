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

  function excerpt(html) {  // Pagefind marks hits with <mark>; everything else becomes plain text
    var p = document.createElement("p");
    p.className = "excerpt";
    html.split(/(<mark>[\s\S]*?<\/mark>)/).forEach(function (part) {
      if (part.indexOf("<mark>") === 0) {
        var mark = document.createElement("mark");
        mark.textContent = decoded(part.slice(6, -7));
        p.appendChild(mark);
      } else if (part) {
        p.appendChild(document.createTextNode(decoded(part)));
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
    li.appendChild(excerpt(data.excerpt || ""));
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
