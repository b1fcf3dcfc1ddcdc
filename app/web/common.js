  // What every page shares, placed into its one script when the page is read: the project from the address,
  // the key (taken from the address's fragment once, kept for this tab) and the status line.
  const base = location.pathname.replace(/\/[^/]*\.html$/, "");
  const project = decodeURIComponent(base.split("/")[3] || "");
  const storageKey = "alma-key:" + project;
  const $ = (id) => document.getElementById(id);

  const fragment = new URLSearchParams(location.hash.slice(1));
  if (fragment.get("key")) {
    sessionStorage.setItem(storageKey, fragment.get("key"));
    history.replaceState(null, "", location.pathname + location.search);  // drop the key from the address bar
  }
  $("project").textContent = project;

  function headers(json) {
    const key = sessionStorage.getItem(storageKey);
    return Object.assign(json ? { "Content-Type": "application/json" } : {}, key ? { Authorization: "Bearer " + key } : {});
  }

  function status(text, isError) {
    $("status").textContent = text;
    $("status").classList.toggle("error", Boolean(isError));
  }
