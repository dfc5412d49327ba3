// The page for returned forms: each file is sent to the service's own API, and what comes back is drawn with
// textContent only, so nothing a form holds can run as markup.
"use strict";

const $ = (id) => document.getElementById(id);
const count = (n, one, many) => `${n} ${n === 1 ? one : many}`;

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function say(text) {
  $("status").textContent = text;
}

async function call(path, options) {
  const key = $("apikey").value || sessionStorage.getItem("pepdocs-key") || "";
  const headers = Object.assign({}, options.headers || {});
  if (key) headers["Authorization"] = "Bearer " + key;
  const response = await fetch(path, Object.assign({}, options, { headers }));
  if (response.status === 401) {
    $("key-row").hidden = false;
    $("apikey").focus();
  } else if (key) {
    sessionStorage.setItem("pepdocs-key", key);
  }
  if (!response.ok) {
    let problem = { title: response.statusText, detail: "" };
    try { problem = await response.json(); } catch (e) { /* not JSON: keep the status text */ }
    const error = new Error(problem.detail || problem.title);
    error.problem = problem;
    throw error;
  }
  return response;
}

function problemBox(error) {
  const box = el("div", { class: "alert", role: "alert" }, el("strong", { text: (error.problem && error.problem.title) || "It did not work" }));
  if (error.problem && error.problem.detail) box.append(el("p", { text: error.problem.detail }));
  const errors = (error.problem && error.problem.errors) || [];
  if (errors.length) {
    box.append(el("ul", {}, ...errors.map((e) => el("li", { text: e.message + " @ " + (e.path || e.field || "") }))));
  }
  return box;
}

function download(bytes, filename, type) {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const link = el("a", { href: url, download: filename, class: "download", text: "Save " + filename + " again" });
  link.click();
  return link;
}

function base64Bytes(text) {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

function childName(record) {
  const child = record.child || {};
  const name = [child.first_name, child.last_name].filter(Boolean).join(" ");
  return name || "(no name on the form)";
}

function stem(filename) {
  return filename.replace(/\.(docx|pdf)$/i, "");
}

function readSections(result) {
  const wrap = el("div", {}, el("h3", { text: "What was read, section by section" }));
  for (const section of result.read) {
    const count = section.blocks.reduce((n, b) => n + b.answers.length + b.rows.length, 0);
    const details = el("details", count ? { open: "" } : {},
      el("summary", { text: `Section ${section.key}: ${section.title} (${count ? count + " read" : "nothing read"})` }));
    for (const block of section.blocks) {
      if (block.answers.length) {
        if (block.heading) details.append(el("h4", { text: block.heading }));
        const list = el("dl", { class: "answers" });
        for (const answer of block.answers) list.append(el("dt", { text: answer.label }), el("dd", { text: answer.text }));
        details.append(list);
      }
      if (block.rows.length) {
        const head = el("tr", {}, ...block.columns.map((c) => el("th", { scope: "col", text: c })));
        const labelled = block.columns[0] === "";  // a grid: each row starts with its own label
        const cellOf = (cell, i) => (labelled && i === 0 ? el("th", { scope: "row", text: cell }) : el("td", { text: cell }));
        const rows = block.rows.map((row) => el("tr", {}, ...row.map(cellOf)));
        details.append(el("table", {}, el("caption", { text: block.heading || "Rows" }), el("thead", {}, head), el("tbody", {}, ...rows)));
      }
    }
    wrap.append(details);
  }
  return wrap;
}

function notes(result) {
  const box = el("div", { class: "warnings" });
  box.append(el("h3", { text: `Warnings (${result.warnings.length})` }));
  if (result.warnings.length) {
    box.append(el("ul", {}, ...result.warnings.map((w) => el("li", { text: w.message + (w.path ? " @ " + w.path : "") }))));
  } else {
    box.append(el("p", { text: "None." }));
  }
  box.append(el("h3", { text: `Kept without a place (${result.unmapped.length})` }));
  if (result.unmapped.length) {
    const rows = result.unmapped.map((u) => el("tr", {}, el("td", { text: u.label || u.where || "" }), el("td", { text: u.text }), el("td", {}, el("code", { text: u.path || u.where || "" }))));
    box.append(el("table", {}, el("caption", { text: "Values the form held that have no place in the record; they are kept in the record's extensions" }),
      el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "Label" }), el("th", { scope: "col", text: "Value" }), el("th", { scope: "col", text: "Where" }))),
      el("tbody", {}, ...rows)));
  } else {
    box.append(el("p", { text: "Every value found a place." }));
  }
  return box;
}

function conflictsTable(merged) {
  const summary = `Merged: ${count(merged.taken.length, "value", "values")} taken, ${count(merged.conflicts.length, "conflict", "conflicts")}`;
  const wrap = el("div", {}, el("h3", { text: summary }));
  if (merged.conflicts.length) {
    const kept = merged.prefer === "returned" ? "returned form" : "record";
    const show = (v) => (typeof v === "string" ? v : JSON.stringify(v));
    const rows = merged.conflicts.map((c) => el("tr", {}, el("td", {}, el("code", { text: c.path })), el("td", { text: show(c.record) }), el("td", { text: show(c.returned) })));
    wrap.append(el("table", {}, el("caption", { text: `Conflicts (the ${kept}'s value is kept)` }),
      el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "Where" }), el("th", { scope: "col", text: "Record" }), el("th", { scope: "col", text: "Returned form" }))),
      el("tbody", {}, ...rows)));
  }
  return wrap;
}

function targetLabel() {
  const select = $("target");
  return select.options[select.selectedIndex] ? select.options[select.selectedIndex].text : select.value;
}

function show(file, result) {
  const article = el("article", { "aria-labelledby": "" });
  const heading = el("h2", { id: "file-" + Math.random().toString(36).slice(2), text: file.name });
  article.setAttribute("aria-labelledby", heading.id);
  article.append(heading);
  article.append(el("p", { text: `${result.form_title} (${result.authority}), ${result.format.toUpperCase()}` +
    (result.sections ? `, sections ${result.sections.join(", ")}` : "") }));
  article.append(el("p", { class: "child" }, "Child: ", el("strong", { class: "child-name", text: childName(result.record) })));

  const actions = el("div", { class: "actions" });
  const out = el("div", {});
  const convert = el("button", { type: "button", text: `Download as ${targetLabel()}` });
  convert.addEventListener("click", async () => {
    convert.disabled = true;
    say(`Converting ${file.name}…`);
    try {
      const body = new FormData();
      body.append("file", file);
      const query = new URLSearchParams({ to: $("target").value, format: $("format").value, form: result.form });
      const converted = await (await call("/convert?" + query, { method: "POST", body })).json();
      const link = download(base64Bytes(converted.document), converted.filename, converted.media_type);
      out.replaceChildren(el("p", {}, link), el("details", {}, el("summary", { text: `What changed (${converted.changes.length} notes)` }),
        el("ul", {}, ...converted.lines.slice(1).map((line) => el("li", { text: line.trim() })))));
      say(`Converted ${file.name} to ${converted.filename}.`);
    } catch (error) {
      out.replaceChildren(problemBox(error));
      say(`Could not convert ${file.name}.`);
    } finally {
      convert.disabled = false;
    }
  });
  const record = el("button", { type: "button", class: "secondary", text: "Download the record (JSON)" });
  record.addEventListener("click", () => {
    out.replaceChildren(el("p", {}, download(JSON.stringify(result.record, null, 2) + "\n", stem(file.name) + ".json", "application/json")));
  });
  actions.append(convert, record);

  const recordFile = $("record").files[0];
  if (recordFile) {
    const merge = el("button", { type: "button", class: "secondary", text: `Merge into ${recordFile.name}` });
    merge.addEventListener("click", async () => {
      merge.disabled = true;
      say(`Merging ${file.name} into ${recordFile.name}…`);
      try {
        const body = new FormData();
        body.append("record", recordFile);
        body.append("file", file);
        if ($("password").value) body.append("password", $("password").value);
        const merged = await (await call("/merge?" + new URLSearchParams({ prefer: $("prefer").value }), { method: "POST", body })).json();
        const save = el("button", { type: "button", class: "secondary", text: "Download the merged record (JSON)" });
        save.addEventListener("click", () => save.after(download(JSON.stringify(merged.record, null, 2) + "\n", stem(recordFile.name) + "-merged.json", "application/json")));
        out.replaceChildren(conflictsTable(merged), save);
        say(`Merged: ${count(merged.conflicts.length, "conflict", "conflicts")}.`);
      } catch (error) {
        out.replaceChildren(problemBox(error));
        say(`Could not merge ${file.name}.`);
      } finally {
        merge.disabled = false;
      }
    });
    actions.append(merge);
  }
  article.append(actions, out, notes(result), readSections(result));
  return article;
}

async function readAll(files) {
  const results = $("results");
  results.replaceChildren();
  const go = $("go");
  go.disabled = true;
  let done = 0;
  try {
    for (const file of files) {
      say(`Reading ${file.name} (${done + 1} of ${files.length})…`);
      const body = new FormData();
      body.append("file", file);
      if ($("password").value) body.append("password", $("password").value);
      try {
        const result = await (await call("/parse", { method: "POST", body })).json();
        results.append(show(file, result));
      } catch (error) {
        results.append(el("article", {}, el("h2", { text: file.name }), problemBox(error)));
      }
      done += 1;
    }
    say(`Read ${count(done, "form", "forms")}.`);
    results.focus();
  } finally {
    go.disabled = false;
  }
}

async function loadForms() {
  try {
    const forms = await (await call("/forms", {})).json();
    $("results").replaceChildren();
    for (const form of forms) {
      const option = el("option", { value: form.id, text: `${form.short_title} (${form.authority})` });
      if (form.home) option.selected = true;
      $("target").append(option);
    }
  } catch (error) {
    $("results").replaceChildren(problemBox(error));
  }
}

async function start() {
  try {
    const health = await (await fetch("/healthz")).json();
    $("version").textContent = health.version;
    if (health.auth) $("key-row").hidden = false;
  } catch (e) { /* the page still works without the version */ }
  await loadForms();
  $("apikey").addEventListener("change", () => {
    if (!$("target").options.length) loadForms();
  });

  $("read").addEventListener("submit", (event) => {
    event.preventDefault();
    const files = Array.from($("files").files);
    if (!files.length) {
      say("Choose one or more completed forms first.");
      $("files").focus();
      return;
    }
    readAll(files);
  });
  $("files").addEventListener("change", () => {
    if ($("files").files.length) readAll(Array.from($("files").files));
  });
  const drop = $("drop");
  for (const name of ["dragenter", "dragover"]) {
    drop.addEventListener(name, (event) => { event.preventDefault(); drop.classList.add("over"); });
  }
  for (const name of ["dragleave", "drop"]) {
    drop.addEventListener(name, () => drop.classList.remove("over"));
  }
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    const files = Array.from(event.dataTransfer.files).filter((f) => /\.(docx|pdf)$/i.test(f.name));
    if (files.length) readAll(files);
    else say("Only DOCX and PDF files can be read.");
  });
}

start();
