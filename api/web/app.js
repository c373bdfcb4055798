// otklik desk: the press queue and templates; the analyst's pain map, FAQ, metrics, a text
// explained word by word, a file classified.
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
  403: "У этого ключа нет нужной роли для этого раздела (очередь — «press», аналитика — «analyst»).",
  413: "Слишком большой запрос или файл.",
  404: "Не найдено: возможно, запись удалена.",
  409: "Сообщение уже изменил другой сотрудник или такой переход невозможен. Очередь обновлена.",
  422: "Проверьте введённые данные.",
  503: "Хранилище сообщений недоступно, попробуйте позже.",
};
const FIELD_ERRORS = {
  answer_required: "Введите текст ответа.", reason_required: "Укажите, почему ответ не нужен.",
  invalid_template: "Шаблон не сохранён: проверьте название, текст и подстановки.",
  unsupported_file: "Формат не поддерживается: нужен файл CSV, XLSX или JSONL.",
  file_too_large: "Файл больше 5 МБ: разделите его на части.",
  too_many_rows: "В файле больше 5000 строк: разделите его на части.",
  faq_failed: "Не удалось сгруппировать вопросы за этот период.",
  queue_full: "Сервис перегружен, попробуйте через минуту.",
};
const CYRILLIC = /[а-яё]/i;
let selected = null;
let current = null;

function esc(text) {
  const div = document.createElement("div");
  div.textContent = text == null ? "" : String(text);
  return div.innerHTML;
}
function showError(text) { const box = $("#error"); box.textContent = text; box.hidden = !text; }

async function api(path, options = {}, raw = false) {
  const headers = {"X-API-Key": sessionStorage.getItem(KEY) || ""};
  if (options.body) {
    headers["Content-Type"] = raw ? "application/octet-stream" : "application/json";
  }
  let response;
  try {
    response = await fetch(path, {...options, headers});
  } catch (e) {
    throw new Error("Сервер не отвечает. Проверьте соединение.");
  }
  if (response.ok) { showError(""); return raw ? response : response.json(); }
  let body = {};
  try { body = await response.json(); } catch (e) { /* not JSON */ }
  const own = body.error === "bad_table" && CYRILLIC.test(body.message || "") ? body.message :
    body.error === "bad_table" ? "Файл не удалось прочитать как таблицу." : null;
  const text = own || FIELD_ERRORS[body.error] || ERRORS[response.status] ||
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

const PAGES = {queue: () => loadQueue(), templates: () => loadTemplates(),
  painmap: () => loadPainmap(), faq: () => loadFaq(), metrics: () => loadMetrics(),
  explain: async () => $("#ex-text").focus(), upload: async () => $("#up-file").focus()};
const WITH_PERIOD = new Set(["painmap", "faq", "metrics"]);
let page = "queue";

function tab(name) {
  page = name;
  for (const b of document.querySelectorAll(".tab")) {
    b.classList.toggle("active", b.dataset.tab === name);
    b.setAttribute("aria-pressed", String(b.dataset.tab === name));
  }
  for (const id of Object.keys(PAGES)) $(`#${id}`).hidden = id !== name;
  $("#period").hidden = !WITH_PERIOD.has(name);
  return PAGES[name]();
}

async function start() {
  const data = await loadQueue();
  $("#login").hidden = true; $("#nav").hidden = false; $("#queue").hidden = false;
  if (data.items.length && selected == null) await openItem(data.items[0].id);
}

function logout() {
  sessionStorage.removeItem(KEY);
  $("#login").hidden = false; $("#nav").hidden = true; $("#period").hidden = true;
  for (const id of Object.keys(PAGES)) $(`#${id}`).hidden = true;
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
$("#period").addEventListener("submit", (event) => {
  event.preventDefault();
  PAGES[page]().catch((e) => showError(e.message));
});
$("#explain-form").addEventListener("submit", (e) => explainText(e).catch((x) => {
  showError(x.message); $("#ex-result").innerHTML = "";
}));
$("#upload-form").addEventListener("submit", (e) => uploadFile(e).catch((x) => {
  showError(x.message); $("#up-status").textContent = "";
}));
for (const b of document.querySelectorAll(".tab")) {
  b.addEventListener("click", () => tab(b.dataset.tab).catch((e) => showError(e.message)));
}
if (sessionStorage.getItem(KEY) !== null) start().catch((e) => showError(e.message));

// ---------------------------------------------------------------- analyst pages
const pct = (x) => x == null ? "—" : `${Math.round(x * 1000) / 10} %`;
const growth = (g) => g == null ? "новое" : `${g > 0 ? "+" : ""}${Math.round(g * 100)} %`;

function periodQuery(extra = {}) {
  const params = new URLSearchParams(extra);
  for (const [name, id] of [["from", "#p-from"], ["to", "#p-to"], ["region", "#p-region"]]) {
    const value = $(id).value.trim();
    if (value) params.set(name, value);
  }
  return params;
}
const periodText = (p) => p ? `(${p.from} — ${p.to})` : "";
const latest = {};  // page → number of its newest request: a slower, older answer is dropped
async function fresh(name, path) {
  const n = latest[name] = (latest[name] || 0) + 1;
  const data = await api(path);
  return n === latest[name] ? data : null;
}

async function loadPainmap() {
  const data = await fresh("painmap", `/v1/painmap?${periodQuery()}`);
  if (!data) return null;
  $("#pm-period").textContent = periodText(data.period);
  $("#pm-summary").textContent = `Сообщений: ${data.total_messages}, негативных: ` +
    `${data.negative_messages}. Строки — ${data.group_by_names.join(" × ") || "все"}, ` +
    "столбцы — боли; цвет — приоритет, число — доля негативных сообщений строки.";
  $("#pm-formula").textContent = data.formula_ru || "";
  if (!data.cells.length) {
    $("#pm-table").innerHTML = "<tr><td>За период нет негативных сообщений.</td></tr>";
    return data;
  }
  const top = Math.max(...data.cells.map((c) => c.priority), 1e-9);
  const cells = new Map(data.cells.map((c) => [`${c.row.join("|")}#${c.aspect}`, c]));
  const head = `<thead><tr><th>Строка</th>${data.aspects.map((a) =>
    `<th scope="col">${esc(a.name)}</th>`).join("")}<th>Негативных</th></tr></thead>`;
  const body = data.rows.map((r) => `<tr><th scope="row">${esc(r.name)}</th>${
    data.aspects.map((a) => {
      const c = cells.get(`${r.key.join("|")}#${a.id}`);
      if (!c) return "<td class='empty'></td>";
      const level = Math.min(1, c.priority / top);
      const quote = (c.quotes || []).map((q) => typeof q === "string" ? q : q.text).join(" / ");
      const tip = `${r.name} — ${a.name}: ${c.negative} негативных, рост ${growth(c.growth)}` +
        (quote ? `. Пример: ${quote}` : "");
      return `<td class="cell" tabindex="0" title="${esc(tip)}" aria-label="${esc(tip)}"
        style="background: rgba(200, 40, 30, ${(0.08 + 0.8 * level).toFixed(2)});
        color: ${level > 0.55 ? "#fff" : "#1d2430"}">${pct(c.share)}${
        c.rank && c.rank <= 3 ? ` <b>№${c.rank}</b>` : ""}</td>`;
    }).join("")}<td>${r.negative}</td></tr>`).join("");
  $("#pm-table").innerHTML = head + `<tbody>${body}</tbody>`;
  return data;
}

async function loadFaq() {
  const data = await fresh("faq", `/v1/faq?${periodQuery({top: "10"})}`);
  if (!data) return null;
  $("#faq-period").textContent = periodText(data.period);
  const total = data.questions_total, before = data.previous_questions_total;
  const sampled = total > data.questions || before > data.previous_questions ?
    ` Сгруппированы последние ${data.questions} и ${data.previous_questions} ` +
    `(не больше ${data.questions_limit} за период); частоты — по ним.` : "";
  $("#faq-summary").textContent = `Вопросов за период: ${total}, за предыдущий: ${before}.` +
    `${sampled} Рост более 30 % отмечен как кампания.`;
  $("#faq-table tbody").innerHTML = data.top.map((c, n) => `<tr class="${c.campaign ?
    "campaign" : ""}"><td>${n + 1}</td><td>${esc(c.representative)}</td><td>${c.count}</td>
    <td class="${c.growth > 0.3 ? "bad" : ""}">${esc(growth(c.growth))}${c.campaign ?
      " · кампания" : ""}</td><td>${c.kb_match ? esc(c.kb_match.question ||
      c.kb_match.faq_id || "есть") : "—"}</td></tr>`).join("") ||
    "<tr><td colspan='5'>За период нет вопросов.</td></tr>";
  return data;
}

function shareTable(rows) {
  return `<thead><tr><th>Значение</th><th>Сообщений</th><th>Доля</th></tr></thead><tbody>${
    rows.slice(0, 8).map((r) => `<tr><td>${esc(r.name || "не указано")}</td><td>${r.count}</td>
    <td>${pct(r.share)}</td></tr>`).join("") || "<tr><td colspan='3'>нет данных</td></tr>"}</tbody>`;
}

function duration(hours) {
  if (hours == null) return "—";
  return hours >= 48 ? `${Math.round(hours / 2.4) / 10} дн.` : `${Math.round(hours * 10) / 10} ч`;
}

async function loadMetrics() {
  const data = await fresh("metrics", `/v1/metrics?${periodQuery()}`);
  if (!data) return null;
  $("#m-period").textContent = periodText(data.period);
  const t = data.response_time.all || {}, c = data.complaints || {}, s = data.surveys || {};
  const card = (title, value, note = "") => `<div class="card"><div class="muted">${title}</div>
    <b>${esc(value)}</b><div class="muted">${esc(note)}</div></div>`;
  const change = data.change == null ? "" : `к прошлому периоду ${growth(data.change)}`;
  $("#m-cards").innerHTML = [
    card("Сообщений", data.total, change),
    card("Отвечено в срок", pct(t.within_deadline_share), `без ответа: ${t.unanswered ?? "—"}`),
    card("Медиана ответа", duration(t.median_hours), `90 % — за ${duration(t.p90_hours)}`),
    card("Просрочено без ответа", t.overdue_unanswered ?? "—"),
    card("Жалоб", c.total ?? "—", `довольны решением: ${pct(c.satisfied_share)}`),
    card("CSAT", s.csat && s.csat.value != null ? `${s.csat.value} %` : "—",
      s.csat ? `ответов: ${s.csat.responses}` : ""),
  ].join("");
  $("#m-channel").innerHTML = shareTable(data.by_channel);
  $("#m-topic").innerHTML = shareTable(data.by_topic);
  $("#m-sentiment").innerHTML = shareTable(data.by_sentiment);
  return data;
}

function highlighted(text, words) {
  const best = Math.max(...words.map((w) => w.score), 1e-9);
  const strong = (w) => w.score > 0 && w.score >= 0.2 * best;  // weaker ones are noise
  const top = new Set(words.filter(strong).sort((a, b) => b.score - a.score)
    .slice(0, 5).map((w) => w.word));
  const spans = [];
  for (const w of words) {
    if (!strong(w)) continue;
    for (const [start, end] of w.spans) spans.push({start, end, w});
  }
  spans.sort((a, b) => a.start - b.start);
  let out = "", at = 0;
  for (const {start, end, w} of spans) {
    const level = Math.min(1, w.score / best);
    out += esc(text.slice(at, start));
    out += `<mark class="word${top.has(w.word) ? " top" : ""}" title="вклад ${w.score}"
      style="background: rgba(255, 170, 0, ${(0.15 + 0.75 * level).toFixed(2)})">${
      esc(text.slice(start, end))}</mark>`;
    at = end;
  }
  return out + esc(text.slice(at));
}

async function explainText(event) {
  event.preventDefault();
  const text = $("#ex-text").value;
  if (!text.trim()) throw new Error("Вставьте текст сообщения.");
  $("#ex-result").innerHTML = "<p class='muted'>Классификация…</p>";
  const r = await api("/v1/explain", {method: "POST", body: JSON.stringify({text})});
  const best = Math.max(...r.words.map((w) => w.score), 1e-9);
  const words = r.words.filter((w) => w.score > 0 && w.score >= 0.2 * best)
    .sort((a, b) => b.score - a.score).slice(0, 8);
  $("#ex-result").innerHTML = `<h2>Тема: <span id="ex-topic">${esc(r.explained_topic.name)}</span>
      <span class="muted">(${pct(r.explained_topic.score)})</span></h2>
    <p>Тональность: <b>${esc(r.sentiment.name)}</b> · Тип: <b>${esc(r.type.name)}</b> ·
      Срочность: <b>${esc(r.urgency.name)}</b>${r.aspects.length ? " · Аспекты: " +
      r.aspects.map((a) => esc(a.name)).join(", ") : ""}</p>
    <p>Другие темы: ${r.topics.slice(1).map((t) => `${esc(t.name)} (${pct(t.score)})`)
      .join(", ") || "—"}</p>
    <h3>Слова, которые определили тему</h3>
    <p id="ex-text-marked" class="explained">${highlighted(r.explained_text, r.words)}</p>
    <ol id="ex-words">${words.map((w) => `<li><b>${esc(w.word)}</b> — вклад ${
      pct(w.score)}</li>`).join("") || "<li>ни одно слово по отдельности не решает</li>"}</ol>
    <p class="muted">Текст на сервере не сохраняется; персональные данные в ответе скрыты.</p>`;
}

async function uploadFile(event) {
  event.preventDefault();
  const file = $("#up-file").files[0];
  if (!file) throw new Error("Выберите файл.");
  if (file.size > 5 * 1024 * 1024) throw new Error(FIELD_ERRORS.file_too_large);
  $("#up-status").textContent = "Классификация…";
  const params = new URLSearchParams({name: file.name, text_col: $("#up-col").value.trim() ||
    "text"});
  const response = await api(`/v1/classify/file?${params}`, {method: "POST", body: file}, true);
  const blob = await response.blob();
  const dot = file.name.lastIndexOf(".");
  const name = `${file.name.slice(0, dot)}.otklik${file.name.slice(dot)}`;
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = name;
  link.textContent = `Скачать ${name}`;
  link.id = "up-link";
  const skipped = Number(response.headers.get("X-Otklik-Skipped") || 0);
  $("#up-status").innerHTML = `Готово: классифицировано строк — ${
    response.headers.get("X-Otklik-Rows")}${skipped ? `, пропущено (пустые или битые) — ${
    skipped}` : ""}. `;
  $("#up-status").append(link);
  link.click();
}
