// Dashboard: one card per station, a page of them at a time (?page=, ?size=),
// live over server-sent events; the counts on top are the whole site's.
// Plain browser JavaScript so the page needs no build step.
'use strict';

const LANG = new URLSearchParams(location.search).get('lang') === 'en' ? 'en' : 'de';
const SIZE = new URLSearchParams(location.search).get('size');
/** 0-based here and in the API; the address bar and the pager count from 1. */
let page = Math.max(0, (Number.parseInt(new URLSearchParams(location.search).get('page'), 10) || 1) - 1);
let source = null;
const TEXT = {
  de: {
    title: 'Servicehotline – Arbeitsplätze', byPhase: 'Status', byTopic: 'Anliegen (laufende Anrufe)', phase: 'Status',
    topic: 'Anliegen', time: 'Zeit', left: (t) => `noch ${t}`, pager: (p, n, total) => `Seite ${p} von ${n} · ${total.toLocaleString('de-DE')} Arbeitsplätze`, prev: '‹ zurück', next: 'weiter ›', firmware: 'Firmware', live: 'live', reconnecting: 'Verbindung unterbrochen …',
    display: 'Anzeige', languages: { de: 'Deutsch', en: 'Englisch' }, update: 'Update',
    updates: { updated: 'aktualisiert', current: 'war aktuell', 'rolled-back': 'zurückgesetzt', failed: 'fehlgeschlagen', offline: 'offline', stopped: 'angehalten', busy: 'wartet (Anruf)' },
  },
  en: {
    title: 'Service hotline – desks', byPhase: 'Phase', byTopic: 'Topics (calls in progress)', phase: 'Phase',
    topic: 'Topic', time: 'Time', left: (t) => `${t} left`, pager: (p, n, total) => `Page ${p} of ${n} · ${total.toLocaleString('en-GB')} desks`, prev: '‹ back', next: 'next ›', firmware: 'Firmware', live: 'live', reconnecting: 'connection lost …',
    display: 'Module language', languages: { de: 'German', en: 'English' }, update: 'Update',
    updates: { updated: 'updated', current: 'was current', 'rolled-back': 'rolled back', failed: 'failed', offline: 'offline', stopped: 'stopped', busy: 'waits (call)' },
  },
}[LANG];
// Phases, topics and key labels: the catalogue's (labels.generated.js, loaded before this file).
Object.assign(TEXT, LABELS[LANG]);
TEXT.phases = { ...TEXT.phases, PHASE_UNSPECIFIED: '–' };

const cards = new Map();
const elements = new Map();
let clockOffsetMs = 0;

document.documentElement.lang = LANG;
for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = TEXT[el.dataset.i18n];

function connect() {
  const conn = document.getElementById('conn');
  source?.close();
  source = new EventSource(`/api/events?page=${page}${SIZE ? `&size=${encodeURIComponent(SIZE)}` : ''}`);
  source.addEventListener('open', () => { conn.textContent = TEXT.live; conn.dataset.state = 'live'; });
  source.addEventListener('error', () => { conn.textContent = TEXT.reconnecting; conn.dataset.state = 'lost'; });
  // A whole page: on connect, and again when stations came or went.
  source.addEventListener('page', (event) => {
    const view = JSON.parse(event.data);
    page = view.page;
    cards.clear();
    elements.clear();
    document.getElementById('cards').replaceChildren();
    showCards(view.cards);
    renderCounts(view.counts);
    renderPager(view);
  });
  source.addEventListener('cards', (event) => showCards(JSON.parse(event.data)));
  source.addEventListener('counts', (event) => renderCounts(JSON.parse(event.data)));
}

function showCards(list) {
  for (const card of list) {
    if (card.hostTimeMs) clockOffsetMs = card.hostTimeMs - Date.now();
    cards.set(card.id, card);
    render(card);
  }
}

function renderPager(view) {
  const pager = document.getElementById('pager');
  pager.hidden = view.pages <= 1;
  document.getElementById('pager-label').textContent = TEXT.pager(view.page + 1, view.pages, view.total);
  document.getElementById('pager-prev').disabled = view.page === 0;
  document.getElementById('pager-next').disabled = view.page >= view.pages - 1;
}

function turn(by) {
  page = Math.max(0, page + by);
  const params = new URLSearchParams(location.search);
  params.set('page', String(page + 1));
  history.replaceState(null, '', `?${params}`);
  document.getElementById('pager-prev').textContent = TEXT.prev;
document.getElementById('pager-next').textContent = TEXT.next;
document.getElementById('pager-prev').addEventListener('click', () => turn(-1));
document.getElementById('pager-next').addEventListener('click', () => turn(1));
connect();
}

function render(card) {
  let el = elements.get(card.id);
  if (!el) {
    el = createCard(card);
    elements.set(card.id, el);
    const list = document.getElementById('cards');
    const after = [...list.children].find((other) => other.dataset.id > card.id);
    list.insertBefore(el, after || null);
  }
  el.dataset.phase = card.phase;
  el.querySelector('.name').textContent = card.name || '';
  const online = el.querySelector('.online');
  online.className = 'online ' + (card.online ? 'on' : 'off');
  online.title = card.online ? 'online' : 'offline';
  el.querySelector('.phase').textContent = TEXT.phases[card.phase] || card.phase;
  el.querySelector('.topic').textContent = card.menu ? `${card.menu} ${TEXT.topics[card.menu] || ''} (${card.area})` : '–';
  el.querySelector('.firmware').textContent = card.firmware || '–';
  el.querySelector('.display').textContent = TEXT.languages[card.lang] || '–';
  renderUpdate(el, card.update);
  if (card.frame) drawFrame(el.querySelector('canvas'), card.frame);
  renderTime(el, card);
}

/** The latest network update: percent while it runs, how it ended after; the row only on desks that had one. */
function renderUpdate(el, update) {
  const value = el.querySelector('.update');
  value.hidden = el.querySelector('.update-label').hidden = !update;
  if (!update) return;
  value.textContent = `${update.version} · ${TEXT.updates[update.state] || `${update.percent} %`}`;
  value.title = update.detail || '';
}

function createCard(card) {
  const el = document.getElementById('card-template').content.firstElementChild.cloneNode(true);
  el.dataset.id = card.id;
  el.dataset.testid = `card-${card.id}`;
  el.setAttribute('data-testid', `card-${card.id}`);
  el.querySelector('.id').textContent = card.id;
  for (const node of el.querySelectorAll('[data-i18n]')) node.textContent = TEXT[node.dataset.i18n];
  const keys = el.querySelector('.keys');
  if (card.virtual) {
    for (const key of KEY_ROWS) {
      const button = document.createElement('button');
      button.type = 'button';
      const keypad = card.keypad && KEYPAD_LABELS[key];
      button.textContent = keypad || TEXT.keys[key] || key;
      if (keypad) button.title = TEXT.keypadKeys[key];
      button.dataset.key = key;
      button.setAttribute('data-testid', `key-${card.id}-${key}`);
      if (key.length > 1) button.className = 'wide';
      button.addEventListener('click', () => press(card.id, key));
      keys.appendChild(button);
    }
  }
  return el;
}

function press(id, key) {
  fetch(`/api/stations/${encodeURIComponent(id)}/press`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key }),
  });
}

function renderTime(el, card) {
  const now = Date.now() + clockOffsetMs;
  let text = '–';
  if (card.phase === 'WRAP_UP' && card.wrapUpDeadlineMs) text = TEXT.left(mmss(card.wrapUpDeadlineMs - now));
  else if (card.phaseSinceMs && card.phase !== 'SIGNED_OUT') text = mmss(now - card.phaseSinceMs);
  el.querySelector('.time').textContent = text;
}

function mmss(ms) {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function renderCounts({ phases, topics }) {
  fillCounts('phase-counts', Object.keys(TEXT.phases).filter((p) => phases[p]).map((p) => [p, TEXT.phases[p], phases[p]]));
  fillCounts('topic-counts', Object.keys(TEXT.topics).map((m) => [m, `${m} ${TEXT.topics[m]}`, topics[m] || 0]));
}

function fillCounts(id, rows) {
  const list = document.getElementById(id);
  list.replaceChildren(...rows.map(([key, label, count]) => {
    const li = document.createElement('li');
    li.dataset.key = key;
    li.innerHTML = '<b></b><span></span>';
    li.querySelector('b').textContent = count;
    li.querySelector('span').textContent = label;
    return li;
  }));
}

function drawFrame(canvas, frame) {
  if (canvas.width !== frame.w || canvas.height !== frame.h) {
    canvas.width = frame.w;
    canvas.height = frame.h;
  }
  const ctx = canvas.getContext('2d');
  const image = ctx.createImageData(frame.w, frame.h);
  const bits = atob(frame.bits);
  for (let i = 0; i < frame.w * frame.h; i++) {
    const on = (bits.charCodeAt(i >> 3) >> (7 - (i & 7))) & 1;
    const o = i * 4;
    image.data[o] = on ? 24 : 200;
    image.data[o + 1] = on ? 32 : 212;
    image.data[o + 2] = on ? 24 : 184;
    image.data[o + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
}

setInterval(() => {
  for (const card of cards.values()) {
    const el = elements.get(card.id);
    if (el) renderTime(el, card);
  }
}, 1000);
document.getElementById('pager-prev').textContent = TEXT.prev;
document.getElementById('pager-next').textContent = TEXT.next;
document.getElementById('pager-prev').addEventListener('click', () => turn(-1));
document.getElementById('pager-next').addEventListener('click', () => turn(1));
connect();
