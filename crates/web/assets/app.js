// Jiqun: small progressive enhancements. Every page works without this file, except sending a file
// (a plan document, an attachment), which the server takes as the raw request body.
"use strict";
(() => {
  const zh = (document.documentElement.lang || "zh").startsWith("zh");
  const say = (z, e) => (zh ? z : e);
  const csrf = () => {
    const m = document.querySelector('meta[name="csrf"]');
    return m ? m.content : "";
  };

  // Sends a file as the body of a POST; resolves to the parsed JSON answer, or throws with its message.
  async function send(url, file) {
    const res = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf(), "Content-Type": file.type || "application/octet-stream" },
      body: file,
    });
    let data = null;
    try {
      data = await res.json();
    } catch (_) {
      data = null;
    }
    if (!res.ok) {
      const msg = data && data.error ? data.error.message : say("上传失败（" + res.status + "）", "upload failed (" + res.status + ")");
      const details = data && data.error && data.error.details ? data.error.details.map((d) => d.message).join("；") : "";
      throw new Error(details ? msg + "：" + details : msg);
    }
    return data;
  }

  function show(el, text, bad) {
    if (!el) return;
    el.textContent = text;
    el.classList.toggle("error", !!bad);
  }

  document.addEventListener("DOMContentLoaded", () => {
    // Confirm before returning a report or overriding a status.
    for (const form of document.querySelectorAll("form[data-confirm]")) {
      form.addEventListener("submit", (e) => {
        if (!window.confirm(form.dataset.confirm)) e.preventDefault();
      });
    }
    for (const button of document.querySelectorAll("button[data-confirm]")) {
      button.addEventListener("click", (e) => {
        if (!window.confirm(button.dataset.confirm)) e.preventDefault();
      });
    }
    // The tile map: choose an indicator without a submit button.
    for (const select of document.querySelectorAll("select[data-autosubmit]")) {
      select.addEventListener("change", () => select.form.submit());
    }
    // The report form: choosing another period, before typing, loads that period's current version.
    for (const select of document.querySelectorAll("select[data-reload]")) {
      let dirty = false;
      select.form.addEventListener("input", (e) => {
        if (e.target !== select) dirty = true;
      });
      select.addEventListener("change", () => {
        if (dirty) return;
        const u = new URL(window.location.href);
        u.searchParams.set(select.dataset.reload, select.value);
        u.searchParams.delete("done");
        u.hash = "report";
        window.location.assign(u.toString());
      });
    }
    // A refused form: bring its message into view and to the screen reader.
    const err = document.getElementById("form-error");
    if (err) {
      err.scrollIntoView({ block: "center" });
      err.focus({ preventScroll: true });
    }

    // Plan import: a chosen file goes to the API as the body; pasted text goes through the form.
    for (const form of document.querySelectorAll("form[data-import]")) {
      form.addEventListener("submit", async (e) => {
        const input = form.querySelector('input[type="file"]');
        const file = input && input.files && input.files[0];
        if (!file) return;
        e.preventDefault();
        const status = form.querySelector(".import-status");
        const name = (form.querySelector('input[name="name"]') || {}).value || file.name;
        const button = form.querySelector('button[type="submit"]');
        if (button) button.disabled = true;
        show(status, say("正在导入 " + file.name + " ……", "Importing " + file.name + "…"));
        try {
          const data = await send(form.dataset.import + "?name=" + encodeURIComponent(name), file);
          show(status, say("已导入，正在打开……", "Imported; opening…"));
          window.location.assign("/plans/" + encodeURIComponent(data.id));
        } catch (x) {
          show(status, x.message, true);
          if (button) button.disabled = false;
        }
      });
    }

    // The registry's CSV import: the file is the body; the answer says what was imported, or every error
    // with its line and column.
    for (const form of document.querySelectorAll("form[data-import-csv]")) {
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        const input = form.querySelector('input[type="file"]');
        const file = input && input.files && input.files[0];
        const status = form.querySelector(".import-status");
        if (!file) {
          show(status, say("请选择文件", "Choose a file"), true);
          return;
        }
        show(status, say("正在导入 " + file.name + " ……", "Importing " + file.name + "…"));
        try {
          const d = await send(form.dataset.importCsv + "?name=" + encodeURIComponent(file.name), file);
          show(status, say("已导入 " + d.year + " 年数据：新登记 " + d.created + " 家，更新 " + d.updated + " 家，数据 " + d.figures + " 项。",
            "Imported " + d.year + ": " + d.created + " new, " + d.updated + " updated, " + d.figures + " figures."));
        } catch (x) {
          show(status, x.message.split("；").join("\n"), true);
        }
      });
    }

    // Templates and import (/imports): the file is the body, sent with upload progress; a refused file's
    // mistakes are listed (place, problem), and the same file can be fetched back with them marked.
    for (const form of document.querySelectorAll("form[data-import-file]")) {
      const status = form.querySelector(".import-status");
      const bar = form.querySelector(".import-progress");
      const list = form.querySelector(".import-errors");
      const post = (url, file, type) =>
        new Promise((resolve, reject) => {
          const x = new XMLHttpRequest();
          x.open("POST", url);
          x.setRequestHeader("X-CSRF-Token", csrf());
          x.setRequestHeader("Content-Type", file.type || "application/octet-stream");
          x.responseType = type;
          x.upload.onprogress = (e) => {
            if (bar && e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
          };
          x.upload.onload = () => show(status, say("已上传，正在校验……", "Uploaded; checking…"));
          x.onload = () => resolve(x);
          x.onerror = () => reject(new Error(say("网络错误", "network error")));
          x.send(file);
        });
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        const input = form.querySelector('input[type="file"]');
        const file = input && input.files && input.files[0];
        list.replaceChildren();
        if (!file) {
          show(status, say("请选择文件", "Choose a file"), true);
          return;
        }
        const name = encodeURIComponent(file.name);
        if (bar) {
          bar.hidden = false;
          bar.value = 0;
        }
        show(status, say("正在上传 " + file.name + " ……", "Uploading " + file.name + "…"));
        try {
          const x = await post(form.dataset.importFile + "?name=" + name, file, "json");
          const d = x.response || {};
          if (x.status === 201) {
            show(status, say("已导入：" + d.rows + " 行（新增 " + d.created + "，更新 " + d.updated + "）。",
              "Imported: " + d.rows + " rows (" + d.created + " new, " + d.updated + " updated)."));
            return;
          }
          const err = d.error || {};
          show(status, err.message || say("导入失败（" + x.status + "）", "import failed (" + x.status + ")"), true);
          const details = err.details || [];
          if (details.length) {
            const table = document.createElement("table");
            const head = table.createTHead().insertRow();
            for (const h of [say("位置", "Where"), say("问题", "Problem")]) {
              const th = document.createElement("th");
              th.textContent = h;
              head.appendChild(th);
            }
            const body = table.createTBody();
            for (const item of details) {
              const row = body.insertRow();
              row.insertCell().textContent = item.field;
              row.insertCell().textContent = item.message;
            }
            const button = document.createElement("button");
            button.type = "button";
            button.textContent = say("下载标出错误的工作簿", "Download the workbook with its mistakes marked");
            button.addEventListener("click", async () => {
              const m = await post(form.dataset.marked + "?name=" + name, file, "blob");
              if (m.status !== 200) return;
              const a = document.createElement("a");
              a.href = URL.createObjectURL(m.response);
              a.download = file.name.replace(/\.[^.]*$/, "") + "-errors.xlsx";
              document.body.appendChild(a);
              a.click();
              a.remove();
            });
            list.append(button, table);
          }
        } catch (x) {
          show(status, x.message, true);
        } finally {
          if (bar) bar.hidden = true;
        }
      });
    }

    // Attachments: the file is the body; the page reloads to list it.
    for (const form of document.querySelectorAll("form[data-upload]")) {
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        const input = form.querySelector('input[type="file"]');
        const file = input && input.files && input.files[0];
        const status = form.querySelector(".upload-status");
        if (!file) {
          show(status, say("请选择文件", "Choose a file"), true);
          return;
        }
        const max = Number(form.dataset.max || 0);
        if (max && file.size > max) {
          show(status, say("附件不能超过 10 MB", "An attachment cannot exceed 10 MB"), true);
          return;
        }
        show(status, say("正在上传……", "Uploading…"));
        try {
          await send(form.dataset.upload + "?name=" + encodeURIComponent(file.name), file);
          window.location.reload();
        } catch (x) {
          show(status, x.message, true);
        }
      });
    }
  });
})();
