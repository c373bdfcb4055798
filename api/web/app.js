// otklik press desk: the queue, a taken item answered from a filled template, the templates.
"use strict";
const $ = (sel) => document.querySelector(sel);
const KEY = "otklik-api-key";
const STATUS = {new: "новое", in_work: "в работе", answered: "отвечено",
  no_answer_needed: "ответ не нужен"};
const CHANNEL = {social_vk: "ВКонтакте", social_ok: "Одноклассники", telegram: "Telegram",
  open_resource: "открытый ресурс"};
const KIND = {post: "публикация", comment: "комментарий", mention: "упоминание",
  review: "отзыв", appeal: "обращение", complaint: "жалоба", question: "вопрос"};
const ERRORS = {
  401: "Ключ API не подошёл: он неверен или отозван. Войдите снова.",
  403: "У этого ключа нет нужной роли (нужна роль «press»).",
  404: "Не найдено: возможно, запись удалена.",
  409: "Сообщение уже изменил другой сотрудник или такой переход невозможен. Очередь обновлена.",
  422: "Проверьте введённые данные.",
  503: "Хранилище сообщений недоступно, попробуйте позже.",
};
const FIELD_ERRORS = {
  answer_required: "Введите текст ответа.", reason_required: "Укажите, почему ответ не нужен.",
  invalid_template: "Шаблон не сохранён: проверьте название, текст и подстановки.",
};
let selected = null;
let current = null;

function esc(text) {
  const div = document.createElement("div");
  div.textContent = text == null ? "" : String(text);
  return div.innerHTML;
}
function showError(text) { const box = $("#error"); box.textContent = text; box.hidden = !text; }

async function api(path, options = {}) {
  const headers = {"X-API-Key": sessionStorage.getItem(KEY) || ""};
  if (options.body) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, {...options, headers});
  } catch (e) {
    throw new Error("Сервер не отвечает. Проверьте соединение.");
  }
  if (response.ok) { showError(""); return response.json(); }
  let body = {};
  try { body = await response.json(); } catch (e) { /* not JSON */ }
  const text = FIELD_ERRORS[body.error] || ERRORS[response.status] ||
    `Ошибка сервера (${response.status}).`;
  const error = new Error(text);
  error.status = response.status;
  if (response.status === 401) logout();
  throw error;
}

function left(item) {
  if (item.seconds_left == null) return item.overdue ? "ответ с опозданием" : "—";
  const s = item.seconds_left, m = Math.round(Math.abs(s) / 60);
  const text = m >= 60 ? `${Math.floor(m / 60)} ч ${m % 60} мин` : `${m} мин`;
  return s < 0 ? `просрочено на ${text}` : `осталось ${text}`;
}
function marked(text) {
  return esc(text).replace(/⟦[^⟧]*⟧/g, (m) => `<mark class="mark">${m}</mark>`);
}

async function loadQueue() {
  const params = new URLSearchParams({status: $("#f-status").value});
  for (const name of ["channel", "topic", "region"]) {
    const value = $(`#f-${name}`).value.trim();
    if (value) params.set(name, value);
  }
  if ($("#f-overdue").checked) params.set("overdue", "true");
  const data = await api(`/v1/triage?${params}`);
  const c = data.counts;
  $("#counts").innerHTML = `<span>Новые: <b id="c-new">${c.new}</b></span>
    <span>В работе: <b id="c-in_work">${c.in_work}</b></span>
    <span>Отвечено: <b id="c-answered">${c.answered}</b></span>
    <span class="${c.overdue_open ? "bad" : ""}">Просрочено: <b id="c-overdue">${c.overdue_open}</b></span>
    <span>Отвечено с опозданием: <b>${c.answered_late}</b></span>`;
  $("#alerts").innerHTML = data.alerts.map((a) => `<div class="alert" role="region"
      aria-label="Всплеск"><h3>Всплеск: ${esc(a.topic_name || "все темы")}
      · ${esc(a.place || "все места")} — ${a.count} негативных за ${a.window_hours} ч
      (обычно ${a.usual_per_day} в сутки)</h3><div class="muted">${esc(a.rule)}</div>
      <details><summary>Сообщения (${a.messages.length})</summary><ul>${a.messages.map((m) =>
        `<li>${esc(m.text.slice(0, 200))}</li>`).join("")}</ul></details></div>`).join("");
  const rows = data.items.map((i) => `<tr tabindex="0" data-id="${i.id}"
      class="${i.overdue ? "overdue" : ""} ${i.id === selected ? "selected" : ""}">
      <td>${esc(left(i))}</td><td>${esc(CHANNEL[i.channel] || i.channel || "")}<br>
      <span class="badge ${i.official ? "official" : ""}">${esc(i.official ? "официальное" :
        KIND[i.kind] || i.kind || "")}</span></td>
      <td class="clip">${esc(i.text)}</td><td>${esc(i.topic_name)}</td>
      <td>${i.reach == null ? "—" : i.reach}</td>
      <td>${esc(STATUS[i.status])}${i.assignee ? "<br>" + esc(i.assignee) : ""}</td></tr>`);
  $("#items tbody").innerHTML = rows.join("") ||
    "<tr><td colspan='6'>Очередь пуста.</td></tr>";
  for (const tr of document.querySelectorAll("#items tbody tr[data-id]")) {
    const open = () => openItem(Number(tr.dataset.id)).catch((e) => showError(e.message));
    tr.addEventListener("click", open);
    tr.addEventListener("keydown", (e) => { if (e.key === "Enter") open(); });
  }
  return data;
}

async function openItem(id) {
  selected = id;
  current = await api(`/v1/triage/${id}`);
  renderItem();
  for (const tr of document.querySelectorAll("#items tbody tr")) {
    tr.classList.toggle("selected", Number(tr.dataset.id) === id);
  }
}

function renderItem() {
  const i = current;
  const open = i.status === "new" || i.status === "in_work";
  const drafts = i.drafts.map((d, n) => `<div class="draft"><b>${esc(d.title)}</b>
      ${d.complete ? "" : "<span class='muted'> — заполните отмеченные места</span>"}
      <p>${marked(d.text)}</p><button type="button" class="use" data-n="${n}">
      Использовать шаблон ${n + 1}</button></div>`).join("") ||
    "<p class='muted'>Нет подходящих шаблонов.</p>";
  $("#detail").innerHTML = `<h2>${esc(KIND[i.kind] || i.kind || "Сообщение")}
      ${i.official ? "<span class='badge official'>официальное</span>" : ""}</h2>
    <p class="${i.overdue ? "bad" : ""}">${esc(left(i))} (срок ${esc(i.deadline_hours)} ч)</p>
    <p>${esc(i.text)}</p>
    <p class="muted">${i.url ? `<a href="${esc(i.url)}" target="_blank" rel="noopener">
      ${esc(i.url)}</a> · ` : ""}${esc(i.author || "")} · охват ${i.reach ?? "—"} ·
      ${esc(i.topic_name)} · ${esc(i.place || i.region || "")}</p>
    <p>Статус: <b id="d-status">${esc(STATUS[i.status])}</b>
      ${i.assignee ? " — " + esc(i.assignee) : ""}</p>
    ${i.status === "new" ? "<button type='button' class='primary' id='take'>Взять в работу</button>" : ""}
    ${open ? `<h3>Ответ</h3>${drafts}
      <label for="answer">Текст ответа</label><textarea id="answer" rows="6"></textarea>
      <div class="actions"><button type="button" id="copy">Копировать</button>
      <button type="button" class="primary" id="answered" ${i.status === "in_work" ? "" :
        "disabled title='Сначала возьмите в работу'"}>Отметить отвеченным</button></div>
      <label for="reason">Почему ответ не нужен</label><input id="reason" size="30">
      <button type="button" id="noanswer">Ответ не нужен</button>` :
      `<p>${esc(i.answer_text || i.reason || "")}</p>`}
    <h3>История</h3><ul>${i.history.map((h) => `<li>${esc(h.at.replace("T", " "))}
      ${esc(h.who)}: ${esc(STATUS[h.from])} → ${esc(STATUS[h.to])}
      ${h.note ? "(" + esc(h.note) + ")" : ""}</li>`).join("") || "<li>изменений нет</li>"}</ul>`;
  let templateId = null;
  const bind = (sel, fn) => { const el = $(sel); if (el) el.addEventListener("click", () =>
    fn().catch((e) => { showError(e.message); loadQueue().catch(() => {}); })); };
  bind("#take", () => change({status: "in_work"}));
  for (const button of document.querySelectorAll("#detail .use")) {
    button.addEventListener("click", () => {
      const d = i.drafts[Number(button.dataset.n)];
      $("#answer").value = d.text;
      templateId = d.template_id;
      $("#answer").focus();
    });
  }
  bind("#copy", async () => navigator.clipboard.writeText($("#answer").value));
  bind("#answered", () => {
    const text = $("#answer").value;
    if (/⟦[^⟧]*⟧/.test(text)) {
      return Promise.reject(new Error("В ответе остались незаполненные места ⟦…⟧."));
    }
    return change({status: "answered", text, template_id: templateId});
  });
  bind("#noanswer", () => change({status: "no_answer_needed", reason: $("#reason").value}));
}

async function change(body) {
  current = await api(`/v1/triage/${current.id}`, {method: "POST", body: JSON.stringify(body)});
  renderItem();
  await loadQueue();
}

async function loadTemplates() {
  const [all, review] = await Promise.all([api("/v1/templates"), api("/v1/templates/review")]);
  $("#tpl-list tbody").innerHTML = all.templates.map((t) => `<tr><td>${esc(t.title)}</td>
    <td>${esc(t.topic || "любая")}</td><td>${esc(t.type || "любой")}</td>
    <td>${t.use_count} раз${t.last_used_at ? ", " + esc(t.last_used_at.slice(0, 10)) : ""}</td>
    <td><button type="button" data-edit="${t.id}">Изменить</button>
    <button type="button" data-retire="${t.id}">Вывести из работы</button></td></tr>`).join("");
  $("#tpl-review").innerHTML = review.templates.map((t) => `<li>${esc(t.title)}</li>`).join("") ||
    "<li>таких нет</li>";
  for (const b of document.querySelectorAll("[data-edit]")) {
    b.addEventListener("click", () => {
      const t = all.templates.find((x) => x.id === Number(b.dataset.edit));
      $("#tpl-id").value = t.id; $("#tpl-title").value = t.title;
      $("#tpl-topic").value = t.topic || ""; $("#tpl-type").value = t.type || "";
      $("#tpl-body").value = t.body; $("#tpl-form-title").textContent = "Изменить шаблон";
      $("#tpl-title").focus();
    });
  }
  for (const b of document.querySelectorAll("[data-retire]")) {
    b.addEventListener("click", () => api(`/v1/templates/${b.dataset.retire}/retire`,
      {method: "POST"}).then(loadTemplates).catch((e) => showError(e.message)));
  }
}

async function saveTemplate(event) {
  event.preventDefault();
  const id = $("#tpl-id").value;
  const body = {title: $("#tpl-title").value, body: $("#tpl-body").value,
    topic: $("#tpl-topic").value.trim() || null, type: $("#tpl-type").value.trim() || null};
  await api(id ? `/v1/templates/${id}` : "/v1/templates",
    {method: id ? "PUT" : "POST", body: JSON.stringify(body)});
  $("#tpl-form").reset(); $("#tpl-id").value = "";
  $("#tpl-form-title").textContent = "Новый шаблон";
  await loadTemplates();
}

function tab(name) {
  for (const b of document.querySelectorAll(".tab")) {
    b.classList.toggle("active", b.dataset.tab === name);
  }
  $("#queue").hidden = name !== "queue";
  $("#templates").hidden = name !== "templates";
  return name === "queue" ? loadQueue() : loadTemplates();
}

async function start() {
  const data = await loadQueue();
  $("#login").hidden = true; $("#nav").hidden = false; $("#queue").hidden = false;
  if (data.items.length && selected == null) await openItem(data.items[0].id);
}

function logout() {
  sessionStorage.removeItem(KEY);
  $("#login").hidden = false; $("#nav").hidden = true;
  $("#queue").hidden = true; $("#templates").hidden = true;
}

$("#login-form").addEventListener("submit", (event) => {
  event.preventDefault();
  sessionStorage.setItem(KEY, $("#key").value.trim());
  start().catch((e) => showError(e.message));
});
$("#filters").addEventListener("submit", (event) => {
  event.preventDefault();
  loadQueue().catch((e) => showError(e.message));
});
$("#tpl-form").addEventListener("submit", (e) => saveTemplate(e).catch((x) => showError(x.message)));
$("#tpl-new").addEventListener("click", () => { $("#tpl-form").reset(); $("#tpl-id").value = ""; });
$("#logout").addEventListener("click", logout);
for (const b of document.querySelectorAll(".tab")) {
  b.addEventListener("click", () => tab(b.dataset.tab).catch((e) => showError(e.message)));
}
if (sessionStorage.getItem(KEY) !== null) start().catch((e) => showError(e.message));
