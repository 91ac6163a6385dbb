// camindex's page: sign-in, region tree, map, timeline bands, camera, export, health, audit.
// Plain script, no build step and nothing fetched from outside (police networks are closed).
// Every value from the store reaches the DOM as text (textContent, attributes), never as HTML.
'use strict';
(() => {

// ---------------------------------------------------------------- text in two languages

const TEXT = {
  zh: {
    title: '视频录像索引', signin: '登录', user: '用户名', password: '密码', signout: '退出',
    overview: '总览', health: '健康与考核', exports: '证据导出', audit: '审计',
    role_police: '民警', role_technician: '技术员', role_officer: '乡镇干部', role_admin: '管理员',
    scope: '范围', scope_all: '全部', from: '从', to: '到', apply: '查询', today: '今天', yesterday: '昨天',
    last_hour: '最近1小时', last_day: '最近24小时', sort: '排序', by_coverage: '按覆盖率', by_name: '按名称',
    circle: '圈选', circle_hint: '在地图上按住并拖动，画出圆形范围', export: '导出证据…', live: '在线时段',
    zoom_in: '放大', zoom_out: '缩小', earlier: '向前', later: '向后',
    sel_region: '区域', sel_cameras: '摄像机', sel_near: '附近', radius_m: '半径 {0} 米',
    cameras_n: '{0} 台摄像机', with_footage: '{0} 台有录像', coverage: '覆盖率',
    state_online: '在线', state_offline: '离线', state_unknown: '未知', state_recording: '录像中',
    picture_faulty: '画面异常', picture_ok: '画面正常',
    legend_rec: '录像（已校验）', legend_unv: '录像（未校验）', legend_dev: '设备上的录像', on_device: '录像在设备上（国标 RecordInfo）', legend_low: '低可信', legend_gap: '缺失', legend_live: '在线时段',
    gap_title: '缺失 {0}（{1} 至 {2}）', win_title: '录像 {0}（{1} 至 {2}）', live_title: '在线 {0}（{1} 至 {2}）',
    gap_short: '缺{0}', unverified: '未校验', low_confidence: '低可信', disabled: '已停用',
    no_cameras: '所选范围内没有摄像机。', loading: '正在加载…', no_coords: '{0} 台摄像机没有坐标，不在地图上。',
    grid_note: '未配置底图（--tiles）：按经纬度网格显示。', footage_of: '{0} 至 {1}',
    camera: '摄像机', id: '编号', name: '名称', region: '所属区域', url: '视频地址', state: '状态', since: '自',
    failures: '连续失败', clock: '时钟偏差', probes: '探测记录', at: '时间', result: '结果', depth: '方式',
    video: '视频', seconds_s: '{0} 秒', quality: '画面检测', thumbs: '截图', last_good: '最近正常截图',
    last_faulty: '最近异常截图', none: '无', files: '文件', segments: '录像片段', first: '最早', last: '最晚',
    time_sources: '时间来源', gb_device: '国标设备', gb_status: '国标状态', gb_online: '在线', gb_offline: '离线', unplaced: '行政区划只到县，未能落到乡镇', recent_files: '最近文件', start: '开始', end: '结束', size: '大小', file_checks: '校验', ts_path: '文件名时间', ts_chained: '接续上一文件', ts_creation_time: '容器创建时间', ts_mtime: '修改时间（低可信）', index_errors: '索引错误', path: '路径', error: '错误', back: '返回总览',
    reason: '案由（调取事由）', reason_short: '案由', reason_required: '（必填）', dry_run: '试运行（查看分段、缺失与大小）',
    start_export: '开始导出', parts: '分段', holes: '缺失', est_size: '预计大小', size: '大小', total: '合计',
    job: '导出任务', job_state: '状态', job_progress: '进度', download: '下载', record: '提取固定清单（可打印）',
    manifest: '清单', my_exports: '我的导出', created: '创建于', state_queued: '排队中', state_running: '进行中',
    state_done: '已完成', state_failed: '失败', state_stopped: '已中止', file: '文件',
    checks: '健康检查', check: '检查项', status: '状态', problem: '问题', details: '详情',
    online_by_region: '各区域在线情况', kpi: '考核指标', period: '周期', day: '日', week: '周', date: '日期',
    online_rate: '在线率', recording_integrity: '录像完整率', good_rate: '完好率', previous: '上期',
    level: '级别', cameras: '摄像机', live_cameras: '有视频地址', online: '在线',
    audit_verify_ok: '审计链校验通过：{0} 条记录，链头 {1}', audit_verify_bad: '审计链校验失败：{0}（第一条断点 {1}）',
    command: '操作', arguments: '参数', filter: '筛选', rows_n: '{0} 条',
    signin_failed: '登录失败', locked: '该用户暂时被锁定', lang_other: 'English',
    near_at: '圆心 {0}，半径 {1} 米', pick_region: '请在左侧选择区域，或在地图上点选、圈选摄像机。',
  },
  en: {
    title: 'Footage index', signin: 'Sign in', user: 'User', password: 'Password', signout: 'Sign out',
    overview: 'Overview', health: 'Health & KPIs', exports: 'Exports', audit: 'Audit',
    role_police: 'police', role_technician: 'technician', role_officer: 'officer', role_admin: 'admin',
    scope: 'scope', scope_all: 'all', from: 'From', to: 'to', apply: 'Show', today: 'Today', yesterday: 'Yesterday',
    last_hour: 'Last hour', last_day: 'Last 24 h', sort: 'Sort', by_coverage: 'by coverage', by_name: 'by name',
    circle: 'Circle', circle_hint: 'Press and drag on the map to draw a circle', export: 'Export evidence…', live: 'Live time',
    zoom_in: 'Zoom in', zoom_out: 'Zoom out', earlier: 'Earlier', later: 'Later',
    sel_region: 'Region', sel_cameras: 'Cameras', sel_near: 'Near', radius_m: 'radius {0} m',
    cameras_n: '{0} cameras', with_footage: '{0} with footage', coverage: 'coverage',
    state_online: 'online', state_offline: 'offline', state_unknown: 'unknown', state_recording: 'recording',
    picture_faulty: 'faulty picture', picture_ok: 'picture ok',
    legend_rec: 'footage (verified)', legend_unv: 'footage (unverified)', legend_dev: 'footage on the device', on_device: 'kept on the device (GB/T 28181 RecordInfo)', legend_low: 'low confidence', legend_gap: 'hole', legend_live: 'live online',
    gap_title: 'hole {0} ({1} to {2})', win_title: 'footage {0} ({1} to {2})', live_title: 'online {0} ({1} to {2})',
    gap_short: 'hole {0}', unverified: 'unverified', low_confidence: 'low confidence', disabled: 'disabled',
    no_cameras: 'No camera in this selection.', loading: 'Loading…', no_coords: '{0} cameras have no coordinates and are not on the map.',
    grid_note: 'No basemap configured (--tiles): a latitude/longitude grid.', footage_of: '{0} to {1}',
    camera: 'Camera', id: 'ID', name: 'Name', region: 'Region', url: 'Stream URL', state: 'State', since: 'since',
    failures: 'Consecutive failures', clock: 'Clock offset', probes: 'Probes', at: 'At', result: 'Result', depth: 'Depth',
    video: 'Video', seconds_s: '{0} s', quality: 'Picture checks', thumbs: 'Thumbnails', last_good: 'Last good picture',
    last_faulty: 'Last faulty picture', none: 'none', files: 'Files', segments: 'Segments', first: 'First', last: 'Last',
    time_sources: 'Time sources', gb_device: 'GB/T 28181 device', gb_status: 'GB/T 28181 status', gb_online: 'online', gb_offline: 'offline', unplaced: 'its CivilCode names only the county', recent_files: 'Recent files', start: 'Start', end: 'End', size: 'Size', file_checks: 'Checks', ts_path: 'time in the name', ts_chained: 'end of the previous file', ts_creation_time: 'container creation time', ts_mtime: 'mtime (low confidence)', index_errors: 'Index errors', path: 'Path', error: 'Error', back: 'Back to overview',
    reason: 'Reason (case)', reason_short: 'Reason', reason_required: '(required)', dry_run: 'Dry run (parts, holes, sizes)',
    start_export: 'Start export', parts: 'Parts', holes: 'Holes', est_size: 'Estimated size', size: 'Size', total: 'Total',
    job: 'Export job', job_state: 'State', job_progress: 'Progress', download: 'Download', record: 'Extraction record (printable)',
    manifest: 'Manifest', my_exports: 'My exports', created: 'Created', state_queued: 'queued', state_running: 'running',
    state_done: 'done', state_failed: 'failed', state_stopped: 'stopped', file: 'File',
    checks: 'Health checks', check: 'Check', status: 'Status', problem: 'Problem', details: 'Details',
    online_by_region: 'Online by region', kpi: 'KPIs', period: 'Period', day: 'day', week: 'week', date: 'Date',
    online_rate: 'Online rate', recording_integrity: 'Recording integrity', good_rate: 'Good rate', previous: 'previous',
    level: 'Level', cameras: 'Cameras', live_cameras: 'With URL', online: 'Online',
    audit_verify_ok: 'Audit chain verifies: {0} rows, head {1}', audit_verify_bad: 'Audit chain broken: {0} (first broken row {1})',
    command: 'Command', arguments: 'Arguments', filter: 'Filter', rows_n: '{0} rows',
    signin_failed: 'Sign-in failed', locked: 'This user is locked for a while', lang_other: '中文',
    near_at: 'centre {0}, radius {1} m', pick_region: 'Pick a region on the left, or click or circle cameras on the map.',
  },
};

function pickLanguage() {
  const asked = new URLSearchParams(location.search).get('lang');
  if (asked === 'en' || asked === 'zh') return asked;
  const first = (navigator.languages && navigator.languages[0]) || navigator.language || 'zh-CN';
  return first.toLowerCase().startsWith('en') ? 'en' : 'zh';
}
const lang = pickLanguage();
document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
function t(key, ...args) {
  const text = (TEXT[lang] && TEXT[lang][key]) || TEXT.zh[key] || key;
  return text.replace(/\{(\d)\}/g, (_, i) => String(args[Number(i)]));
}

// ---------------------------------------------------------------- DOM, as text only

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'data') for (const [dk, dv] of Object.entries(v)) { if (dv !== undefined && dv !== null) el.dataset[dk] = String(dv); }
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}
const $ = (sel, root) => (root || document).querySelector(sel);

// ---------------------------------------------------------------- the API

class APIError extends Error {
  constructor(status, code, message, value) { super(message); this.status = status; this.code = code; this.value = value; }
}
let csrf = null;
async function api(method, path, body) {
  const headers = { 'Accept': 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  // The case the user works on: every footage, camera and export request carries it.
  if (caseReason()) headers['X-Camindex-Reason'] = encodeURIComponent(caseReason());
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  if (response.status === 204) return null;
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (e) { /* not JSON */ }
  if (!response.ok) {
    const e = json && json.error;
    throw new APIError(response.status, e ? e.code : 'http.' + response.status, e ? e.message : (response.statusText || String(response.status)), e ? e.value : null);
  }
  return json;
}
function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) v.forEach(x => q.append(k, x)); else q.set(k, v);
  }
  const s = q.toString();
  return s ? '?' + s : '';
}

/** The reason (案由) given for this browser tab's requests; kept for the tab only. */
function caseReason() { try { return sessionStorage.getItem('camindex.reason') || ''; } catch (e) { return ''; } }
function setCaseReason(text) { try { sessionStorage.setItem('camindex.reason', text); } catch (e) { /* private mode */ } }

// ---------------------------------------------------------------- times in the cameras' zone

let zone = 'Asia/Shanghai';
const partsFormat = {};
function zoneParts(ms) {
  if (!partsFormat[zone]) {
    partsFormat[zone] = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZoneName: 'longOffset' });
  }
  const p = {};
  for (const part of partsFormat[zone].formatToParts(new Date(ms))) p[part.type] = part.value;
  const offset = (p.timeZoneName || 'GMT').replace('GMT', '') || '+00:00';
  return { y: p.year, mo: p.month, d: p.day, h: p.hour, mi: p.minute, s: p.second, offset };
}
/** RFC 3339 with the zone's offset: what the API takes and answers. */
function rfc3339(ms) {
  const p = zoneParts(ms);
  return `${p.y}-${p.mo}-${p.d}T${p.h}:${p.mi}:${p.s}${p.offset}`;
}
/** For people: date, time and offset. */
function showTime(ms, withDate = true) {
  const p = zoneParts(ms);
  return (withDate ? `${p.y}-${p.mo}-${p.d} ` : '') + `${p.h}:${p.mi}:${p.s}`;
}
function showInstant(text) {
  if (!text) return '—';
  const ms = Date.parse(text);
  return isNaN(ms) ? text : `${showTime(ms)} ${zoneParts(ms).offset}`;
}
function zoneOffsetMs(ms) {
  const o = zoneParts(ms).offset.match(/([+-])(\d\d):(\d\d)/);
  return o ? (o[1] === '-' ? -1 : 1) * (Number(o[2]) * 60 + Number(o[3])) * 60000 : 0;
}
/** The start of the zone's day holding `ms`. */
function dayStart(ms) {
  const p = zoneParts(ms);
  const utcMidnight = Date.UTC(Number(p.y), Number(p.mo) - 1, Number(p.d));
  return utcMidnight - zoneOffsetMs(utcMidnight);
}
function duration(seconds) {
  seconds = Math.round(seconds);
  const d = Math.floor(seconds / 86400), hh = Math.floor(seconds % 86400 / 3600), mm = Math.floor(seconds % 3600 / 60), ss = seconds % 60;
  if (lang === 'en') return (d ? d + 'd ' : '') + (d || hh ? hh + 'h ' : '') + (d || hh || mm ? mm + 'm ' : '') + ss + 's';
  return (d ? d + '天' : '') + (d || hh ? hh + '小时' : '') + (d || hh || mm ? mm + '分' : '') + ss + '秒';
}
function bytes(n) {
  if (n === undefined || n === null) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB']; let i = 0; let v = n;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return (i ? v.toFixed(1) : String(v)) + ' ' + units[i];
}
function percent(v) { return v === null || v === undefined ? '—' : (v * 100).toFixed(1) + '%'; }

// ---------------------------------------------------------------- state, kept in the URL

const app = { session: null, page: null, regions: [], regionByCode: new Map(), children: new Map(), states: [], statesById: new Map() };

function params() { return new URLSearchParams(location.search); }
/** Changes the URL's parameters (null removes one) and draws what it now says. */
function navigate(changes, replace) {
  const p = params();
  for (const [k, v] of Object.entries(changes)) {
    p.delete(k);
    if (v === null || v === undefined || v === '') continue;
    if (Array.isArray(v)) v.forEach(x => p.append(k, x)); else p.set(k, v);
  }
  const url = location.pathname + (p.toString() ? '?' + p.toString() : '');
  if (replace) history.replaceState(null, '', url); else history.pushState(null, '', url);
  draw();
}
window.addEventListener('popstate', () => draw());

/** Which cameras the URL selects: a region, cameras by ID, or a circle. */
function selection() {
  const p = params();
  const cameras = p.getAll('camera').flatMap(c => c.split(',')).map(c => c.trim()).filter(Boolean);
  if (p.get('near') && p.get('radius')) return { kind: 'near', near: p.get('near'), radius: Number(p.get('radius')) };
  if (cameras.length) return { kind: 'cameras', cameras };
  const region = p.get('region') || defaultRegion();
  return region ? { kind: 'region', region } : null;
}
function selectionParams(sel) {
  if (!sel) return {};
  if (sel.kind === 'near') return { near: sel.near, radius: sel.radius };
  if (sel.kind === 'cameras') return { camera: sel.cameras };
  return { region: sel.region };
}
function defaultRegion() {
  const tops = topRegions();
  return tops.length ? tops[0].code : null;
}
function topRegions() { return app.regions.filter(r => !r.parent || !app.regionByCode.has(r.parent)); }

/** The range the URL asks for; the last 24 hours when it says none. */
function range() {
  const p = params();
  if (p.get('from') && p.get('to')) return { from: p.get('from'), to: p.get('to') };
  const now = Date.now();
  const end = Math.ceil(now / 60000) * 60000;
  return { from: rfc3339(Math.floor((end - 86400000) / 3600000) * 3600000), to: rfc3339(end) };
}

// ---------------------------------------------------------------- start

async function start() {
  try {
    app.session = await api('GET', '/api/v1/session');
  } catch (e) {
    if (e.status === 401) return drawSignIn();
    return fatal(e);
  }
  await afterSignIn();
}

async function afterSignIn() {
  csrf = app.session.csrf_token || null;
  try {
    app.page = await api('GET', '/api/v1/page');
    zone = app.page.timezone || zone;
    const may = new Set(app.session.permissions);
    app.regions = may.has('regions') ? await api('GET', '/api/v1/regions') : [];
    app.regionByCode = new Map(app.regions.map(r => [r.code, r]));
    app.children = new Map();
    for (const r of app.regions) {
      if (r.parent && app.regionByCode.has(r.parent)) {
        if (!app.children.has(r.parent)) app.children.set(r.parent, []);
        app.children.get(r.parent).push(r);
      }
    }
    app.states = may.has('cameras') ? await api('GET', '/api/v1/states') : [];
    app.statesById = new Map(app.states.map(s => [s.id, s]));
  } catch (e) { return fatal(e); }
  draw();
}

function fatal(e) {
  const root = $('#app');
  root.replaceChildren(h('div', { class: 'error', role: 'alert', text: e.message || String(e) }));
}

function drawSignIn(message) {
  const root = $('#app');
  const user = h('input', { type: 'text', id: 'signin-user', name: 'user', autocomplete: 'username', required: true });
  const pass = h('input', { type: 'password', id: 'signin-password', name: 'password', autocomplete: 'current-password', required: true });
  const problem = h('div', { class: 'error', role: 'alert', hidden: !message, text: message || '' });
  const form = h('form', { class: 'signin', id: 'signin', onsubmit: async (ev) => {
    ev.preventDefault();
    try {
      app.session = await api('POST', '/api/v1/session', { user: user.value, password: pass.value });
      await afterSignIn();
    } catch (e) {
      problem.hidden = false;
      problem.textContent = (e.status === 429 ? t('locked') : t('signin_failed')) + ': ' + e.message;
    }
  } },
    h('h1', { text: 'camindex · ' + t('title') }),
    h('label', { for: 'signin-user', text: t('user') }), user,
    h('label', { for: 'signin-password', text: t('password') }), pass,
    problem,
    h('button', { type: 'submit', class: 'primary', id: 'signin-submit', text: t('signin') }),
    h('p', {}, h('a', { href: '?lang=' + (lang === 'en' ? 'zh' : 'en'), text: t('lang_other') })));
  root.replaceChildren(form);
  user.focus();
}

// ---------------------------------------------------------------- the frame: header and views

function draw() {
  if (!app.session) return drawSignIn();
  const may = new Set(app.session.permissions);
  const view = params().get('view') || (may.has('cameras') ? 'overview' : may.has('audit') ? 'audit' : 'health');
  const root = $('#app');
  const body = h('div', { id: 'view', class: 'view-' + view });
  root.replaceChildren(header(view), body);
  if (map) { map.remove(); map = null; }
  const views = { overview: drawOverview, camera: drawCamera, export: drawExport, health: drawHealth, audit: drawAudit };
  (views[view] || drawOverview)(body);
}

function header(view) {
  const s = app.session;
  const may = new Set(s.permissions);
  const link = (name, key, allowed) => allowed ? h('a', { href: '?view=' + name + langParam(), 'aria-current': view === name ? 'page' : null,
    onclick: (ev) => { ev.preventDefault(); navigate({ view: name === 'overview' ? null : name, job: null }); }, text: t(key) }) : null;
  const scope = s.regions.length ? s.regions.map(code => (app.regionByCode.get(code) || { name: code }).name).join('、') : t('scope_all');
  return h('header', { class: 'top' },
    h('span', { class: 'brand', text: 'camindex · ' + (app.page && app.page.top ? app.page.top.name : t('title')) }),
    h('nav', {},
      link('overview', 'overview', may.has('cameras')),
      link('health', 'health', may.has('health') || may.has('reports')),
      link('export', 'exports', may.has('exports')),
      link('audit', 'audit', may.has('audit'))),
    h('span', { class: 'who', id: 'who', data: { user: s.user, role: s.role, regions: s.regions.join(',') } },
      h('span', { id: 'who-name', text: s.user }), ' · ', h('span', { id: 'who-role', text: t('role_' + s.role) }),
      ' · ', t('scope') + ': ', h('span', { id: 'who-scope', text: scope }),
      h('button', { type: 'button', onclick: () => { const p = params(); p.set('lang', lang === 'en' ? 'zh' : 'en'); location.search = p.toString(); }, text: t('lang_other'),
        id: 'lang-switch' }),
      h('button', { type: 'button', id: 'signout', onclick: signOut, text: t('signout') })));
}
function langParam() { const l = params().get('lang'); return l ? '&lang=' + encodeURIComponent(l) : ''; }

async function signOut() {
  try { await api('DELETE', '/api/v1/session'); } catch (e) { /* ended already */ }
  app.session = null; csrf = null;
  drawSignIn();
}

// ---------------------------------------------------------------- region tree

/** Camera counts, online and recording figures per region, from the states read. */
function regionFigures() {
  const figures = new Map();
  for (const s of app.states) {
    let code = s.region;
    const seen = new Set();
    while (code && !seen.has(code)) {
      seen.add(code);
      if (!figures.has(code)) figures.set(code, { cameras: 0, online: 0, live: 0, recording: 0, records: 0 });
      const f = figures.get(code);
      f.cameras++;
      if (s.state !== 'unknown') f.live++;
      if (s.state === 'online') f.online++;
      if (s.records) f.records++;
      if (s.recording) f.recording++;
      const r = app.regionByCode.get(code);
      code = r ? r.parent : null;
    }
  }
  return figures;
}

function regionTree(current) {
  const figures = regionFigures();
  const node = (r) => {
    const f = figures.get(r.code) || { cameras: 0, online: 0, live: 0, recording: 0, records: 0 };
    const label = h('span', { class: 'node' },
      h('a', { href: '?region=' + encodeURIComponent(r.code) + langParam(), class: r.code === current ? 'current' : null,
        data: { region: r.code, cameras: f.cameras, online: f.online, recording: f.recording },
        onclick: (ev) => { ev.preventDefault(); navigate({ view: null, region: r.code, camera: null, near: null, radius: null }); }, text: r.name }),
      h('span', { class: 'figures', title: `${t('cameras')} ${f.cameras} · ${t('state_online')} ${f.online}/${f.live} · ${t('state_recording')} ${f.recording}/${f.records}`,
        text: `${f.cameras} · ${t('state_online')} ${f.online}/${f.live} · ${t('state_recording')} ${f.recording}/${f.records}` }));
    const kids = (app.children.get(r.code) || []).slice().sort((a, b) => a.code.localeCompare(b.code));
    if (!kids.length) return h('li', { class: 'leaf' }, label);
    const open = current && (current === r.code || current.startsWith(r.code) || r.level === 'county' || !r.parent);
    return h('li', {}, h('details', { open: open }, h('summary', {}, label), h('ul', {}, kids.map(node))));
  };
  return h('aside', { class: 'tree', id: 'region-tree', 'aria-label': t('region') }, h('ul', {}, topRegions().map(node)));
}

// ---------------------------------------------------------------- overview: tree, map, timeline

function drawOverview(root) {
  const sel = selection();
  const r = range();
  const main = h('main', {});
  root.append(h('div', { class: 'layout' }, regionTree(sel && sel.kind === 'region' ? sel.region : null), main));
  main.append(toolbar(sel, r));
  main.append(h('div', { class: 'selection', id: 'selection-title', text: selectionTitle(sel) }));
  const mapBox = h('div', { id: 'map', 'aria-label': 'map' });
  main.append(mapBox, mapLegend());
  const timeline = h('section', { class: 'timeline', id: 'timeline', tabindex: '0', 'aria-label': 'timeline' });
  main.append(timeline);
  drawMap(mapBox, sel);
  if (sel && app.session.permissions.includes('footage')) loadTimeline(timeline, sel, r);
  else timeline.append(h('p', { class: 'empty', text: sel ? '' : t('pick_region') }));
}

function selectionTitle(sel) {
  if (!sel) return t('pick_region');
  if (sel.kind === 'region') return t('sel_region') + ': ' + regionPath(sel.region);
  if (sel.kind === 'near') return t('sel_near') + ': ' + t('near_at', sel.near, sel.radius);
  return t('sel_cameras') + ': ' + sel.cameras.map(id => (app.statesById.get(id) || { name: id }).name).join('、');
}
function regionPath(code) {
  const names = [];
  let c = code; const seen = new Set();
  while (c && app.regionByCode.has(c) && !seen.has(c)) { seen.add(c); const r = app.regionByCode.get(c); names.unshift(r.name); c = r.parent; }
  return names.length ? names.join(' / ') : code;
}

function toolbar(sel, r) {
  const from = h('input', { type: 'text', id: 'range-from', size: 25, value: showInput(r.from), 'aria-label': t('from') });
  const to = h('input', { type: 'text', id: 'range-to', size: 25, value: showInput(r.to), 'aria-label': t('to') });
  const apply = () => navigate({ from: from.value.trim(), to: to.value.trim() });
  const quick = (key, a, b) => h('button', { type: 'button', text: t(key), onclick: () => navigate({ from: rfc3339(a), to: rfc3339(b) }) });
  const now = Date.now(), today = dayStart(now);
  const sort = h('select', { id: 'sort', 'aria-label': t('sort'), onchange: () => navigate({ sort: sort.value === 'coverage' ? null : sort.value }, true) },
    h('option', { value: 'coverage', text: t('by_coverage') }), h('option', { value: 'name', text: t('by_name') }));
  sort.value = params().get('sort') === 'name' ? 'name' : 'coverage';
  const live = h('input', { type: 'checkbox', id: 'live', checked: params().get('live') !== '0',
    onchange: () => navigate({ live: live.checked ? null : '0' }) });
  const may = new Set(app.session.permissions);
  const reason = h('input', { type: 'text', id: 'case-reason', size: 22, value: caseReason(), 'aria-label': t('reason'),
    placeholder: t('reason') + (app.session.reason_required ? ' ' + t('reason_required') : ''),
    onchange: () => { setCaseReason(reason.value.trim()); draw(); } });
  return h('div', { class: 'toolbar' },
    h('label', { for: 'case-reason', text: t('reason_short') }), reason, h('span', { class: 'sep' }),
    h('label', { for: 'range-from', text: t('from') }), from, h('label', { for: 'range-to', text: t('to') }), to,
    h('button', { type: 'button', class: 'primary', id: 'range-apply', onclick: apply, text: t('apply') }),
    quick('last_hour', Math.floor(now / 60000) * 60000 - 3600000, Math.ceil(now / 60000) * 60000),
    quick('today', today, today + 86400000), quick('yesterday', dayStart(today - 1), today),
    h('span', { class: 'sep' }),
    h('label', { for: 'sort', text: t('sort') }), sort,
    h('label', {}, live, ' ' + t('live')),
    h('span', { class: 'sep' }),
    h('button', { type: 'button', id: 'circle-mode', 'aria-pressed': 'false', title: t('circle_hint'), text: t('circle'), onclick: (ev) => toggleCircle(ev.currentTarget) }),
    may.has('exports') && sel ? h('button', { type: 'button', id: 'to-export', text: t('export'),
      onclick: () => navigate({ view: 'export', job: null }) }) : null);
}
/** An RFC 3339 time shown in an input as the zone's wall time with its offset. */
function showInput(text) {
  const ms = Date.parse(text);
  return isNaN(ms) ? text : rfc3339(ms);
}

// ---------------------------------------------------------------- map

let map = null;
let circleMode = false;
const COLOURS = { recording: '#0072B2', online: '#009E73', offline: '#D55E00', unknown: '#999999', faulty: '#CC79A7' };

function mapLegend() {
  const item = (colour, key) => h('span', {}, h('i', { class: 'dot', data: { colour } }), t(key));
  const legend = h('div', { class: 'legend', id: 'map-legend' },
    item(COLOURS.recording, 'state_recording'), item(COLOURS.online, 'state_online'), item(COLOURS.offline, 'state_offline'),
    item(COLOURS.unknown, 'state_unknown'), item(COLOURS.faulty, 'picture_faulty'));
  for (const i of legend.querySelectorAll('i')) i.style.background = i.dataset.colour;
  return legend;
}

function cameraColour(s) {
  if (s.state === 'online' && s.recording) return COLOURS.recording;
  if (s.recording && s.state === 'unknown') return COLOURS.recording;
  return COLOURS[s.state] || COLOURS.unknown;
}
function stateText(s) {
  const parts = [t('state_' + s.state)];
  if (s.recording) parts.push(t('state_recording'));
  if (s.picture === 'faulty') parts.push(t('picture_faulty'));
  return parts.join(' · ');
}

// GCJ-02, the offset datum of most Chinese map services: WGS84 positions are moved onto a
// GCJ-02 basemap, and a circle drawn on it is moved back before the index is asked.
const GCJ = {
  a: 6378245.0, ee: 0.00669342162296594323,
  outside(lat, lon) { return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271; },
  tlat(x, y) { let r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
    r += (20 * Math.sin(y * Math.PI) + 40 * Math.sin(y / 3 * Math.PI)) * 2 / 3;
    r += (160 * Math.sin(y / 12 * Math.PI) + 320 * Math.sin(y * Math.PI / 30)) * 2 / 3; return r; },
  tlon(x, y) { let r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
    r += (20 * Math.sin(x * Math.PI) + 40 * Math.sin(x / 3 * Math.PI)) * 2 / 3;
    r += (150 * Math.sin(x / 12 * Math.PI) + 300 * Math.sin(x / 30 * Math.PI)) * 2 / 3; return r; },
  fromWGS(lat, lon) {
    if (this.outside(lat, lon)) return [lat, lon];
    let dLat = this.tlat(lon - 105, lat - 35), dLon = this.tlon(lon - 105, lat - 35);
    const radLat = lat / 180 * Math.PI; let magic = Math.sin(radLat); magic = 1 - this.ee * magic * magic;
    const sqrtMagic = Math.sqrt(magic);
    dLat = (dLat * 180) / ((this.a * (1 - this.ee)) / (magic * sqrtMagic) * Math.PI);
    dLon = (dLon * 180) / (this.a / sqrtMagic * Math.cos(radLat) * Math.PI);
    return [lat + dLat, lon + dLon];
  },
  toWGS(lat, lon) {
    let wl = lat, wo = lon;
    for (let i = 0; i < 6; i++) { const [gl, go] = this.fromWGS(wl, wo); wl -= gl - lat; wo -= go - lon; }
    return [wl, wo];
  },
};
function onMap(lat, lon) { return app.page.tiles && app.page.tiles_datum === 'gcj02' ? GCJ.fromWGS(lat, lon) : [lat, lon]; }
function fromMap(lat, lon) { return app.page.tiles && app.page.tiles_datum === 'gcj02' ? GCJ.toWGS(lat, lon) : [lat, lon]; }

function underRegion(regionCode, ancestor) {
  let c = regionCode; const seen = new Set();
  while (c && !seen.has(c)) { if (c === ancestor) return true; seen.add(c); const r = app.regionByCode.get(c); c = r ? r.parent : null; }
  return false;
}

function drawMap(box, sel) {
  if (!window.L) { box.append(h('p', { class: 'error', text: 'Leaflet did not load' })); return; }
  circleMode = false;
  map = L.map(box, { preferCanvas: true, zoomSnap: 0.25, attributionControl: !!app.page.tiles_attribution });
  window.camindexMap = map;
  const shown = app.states.filter(s => !sel || sel.kind !== 'region' || underRegion(s.region, sel.region));
  const placed = shown.filter(s => typeof s.lat === 'number' && typeof s.lon === 'number');
  const selected = new Set(sel && sel.kind === 'cameras' ? sel.cameras : []);
  if (app.page.tiles) {
    L.tileLayer(app.page.tiles, { maxZoom: 19, attribution: app.page.tiles_attribution || '' }).addTo(map);
  }
  const points = [];
  for (const s of placed) {
    const at = onMap(s.lat, s.lon);
    points.push(at);
    const marker = L.circleMarker(at, { radius: selected.has(s.id) ? 8 : 6, weight: s.picture === 'faulty' ? 3 : (selected.has(s.id) ? 3 : 1),
      color: s.picture === 'faulty' ? COLOURS.faulty : (selected.has(s.id) ? '#000' : '#333'), dashArray: s.picture === 'faulty' ? '3 2' : null,
      fillColor: cameraColour(s), fillOpacity: 0.9 });
    const tip = h('span', {}, h('b', { text: s.name }), h('br'), s.id, h('br'), stateText(s));
    marker.bindTooltip(tip);
    marker.on('click', () => { if (!circleMode) navigate({ view: null, camera: s.id, region: null, near: null, radius: null }); });
    marker.addTo(map);
  }
  if (sel && sel.kind === 'near') {
    const [lat, lon] = sel.near.split(',').map(Number);
    if (!isNaN(lat) && !isNaN(lon)) {
      const c = onMap(lat, lon);
      L.circle(c, { radius: sel.radius, color: '#000', weight: 2, fill: false, dashArray: '6 4', interactive: false }).addTo(map);
      points.push(c);
    }
  }
  if (points.length) map.fitBounds(L.latLngBounds(points).pad(0.15), { maxZoom: 17 });
  else map.setView([35, 105], 4);
  if (!app.page.tiles) drawGrid(placed);
  const missing = shown.length - placed.length;
  if (missing > 0) box.after(h('p', { class: 'empty', id: 'map-missing', text: t('no_coords', missing) }));
  if (!app.page.tiles) box.after(h('p', { class: 'empty', text: t('grid_note') }));
  setUpCircle(box);
}

/** Without a basemap: a latitude/longitude grid and the townships' names where their cameras are. */
function drawGrid(placed) {
  const layer = L.layerGroup().addTo(map);
  const redraw = () => {
    layer.clearLayers();
    const b = map.getBounds();
    const span = Math.max(b.getNorth() - b.getSouth(), b.getEast() - b.getWest());
    const steps = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10];
    const step = steps.find(s => span / s <= 10) || 10;
    const digits = Math.max(0, Math.ceil(-Math.log10(step)));
    for (let lat = Math.floor(b.getSouth() / step) * step; lat <= b.getNorth(); lat += step) {
      L.polyline([[lat, b.getWest()], [lat, b.getEast()]], { color: '#c5ccd2', weight: 1, interactive: false }).addTo(layer);
      L.marker([lat, b.getWest()], { interactive: false, icon: L.divIcon({ className: 'grid-label', html: h('span', { text: lat.toFixed(digits) + '°' }), iconSize: null }) }).addTo(layer);
    }
    for (let lon = Math.floor(b.getWest() / step) * step; lon <= b.getEast(); lon += step) {
      L.polyline([[b.getSouth(), lon], [b.getNorth(), lon]], { color: '#c5ccd2', weight: 1, interactive: false }).addTo(layer);
      L.marker([b.getNorth(), lon], { interactive: false, icon: L.divIcon({ className: 'grid-label', html: h('span', { text: lon.toFixed(digits) + '°' }), iconSize: null }) }).addTo(layer);
    }
    // Region names at the middle of their cameras, one level below the top shown.
    const groups = new Map();
    for (const s of placed) {
      let code = s.region; let r = app.regionByCode.get(code);
      while (r && r.parent && app.regionByCode.has(r.parent) && app.regionByCode.get(r.parent).parent && app.regionByCode.has(app.regionByCode.get(r.parent).parent)) {
        code = r.parent; r = app.regionByCode.get(code);
      }
      if (!groups.has(code)) groups.set(code, []);
      groups.get(code).push([s.lat, s.lon]);
    }
    for (const [code, list] of groups) {
      const r = app.regionByCode.get(code); if (!r) continue;
      const lat = list.reduce((a, p) => a + p[0], 0) / list.length, lon = list.reduce((a, p) => a + p[1], 0) / list.length;
      L.marker([lat, lon], { interactive: false, icon: L.divIcon({ className: 'region-label', html: h('span', { text: r.name }), iconSize: null }) }).addTo(layer);
    }
  };
  map.on('moveend', redraw);
  redraw();
}

function toggleCircle(button) {
  circleMode = !circleMode;
  button.setAttribute('aria-pressed', String(circleMode));
  const box = $('#map');
  if (box) box.classList.toggle('circle-mode', circleMode);
  if (map) { if (circleMode) map.dragging.disable(); else map.dragging.enable(); }
}

function setUpCircle(box) {
  let centre = null, circle = null;
  map.on('mousedown', (ev) => {
    if (!circleMode) return;
    centre = ev.latlng;
    circle = L.circle(centre, { radius: 1, color: '#000', weight: 2, dashArray: '6 4', fillOpacity: 0.08 }).addTo(map);
  });
  map.on('mousemove', (ev) => { if (circleMode && centre && circle) circle.setRadius(map.distance(centre, ev.latlng)); });
  map.on('mouseup', (ev) => {
    if (!circleMode || !centre) return;
    const radius = Math.max(1, Math.round(map.distance(centre, ev.latlng)));
    const [lat, lon] = fromMap(centre.lat, centre.lng);
    centre = null;
    navigate({ view: null, near: `${lat.toFixed(6)},${lon.toFixed(6)}`, radius: String(radius), region: null, camera: null });
  });
}

// ---------------------------------------------------------------- timeline

const ROW = 26;

async function loadTimeline(box, sel, r) {
  box.replaceChildren(h('p', { class: 'loading', text: t('loading') }));
  let answer;
  try {
    answer = await api('GET', '/api/v1/footage' + query({ ...selectionParams(sel), from: r.from, to: r.to, live: params().get('live') === '0' ? null : '1' }));
  } catch (e) {
    box.replaceChildren(h('div', { class: 'error', role: 'alert', id: 'timeline-error', data: { code: e.code }, text: e.message }));
    return;
  }
  if (!$('#timeline') || $('#timeline') !== box) return;
  drawTimeline(box, answer);
}

function drawTimeline(box, answer) {
  const start = Date.parse(answer.from), end = Date.parse(answer.to), span = end - start;
  const cameras = answer.cameras.slice();
  if (params().get('sort') === 'name') cameras.sort((a, b) => a.name.localeCompare(b.name, 'zh-CN') || a.id.localeCompare(b.id));
  else cameras.sort((a, b) => b.coverage - a.coverage || a.name.localeCompare(b.name, 'zh-CN'));
  const withFootage = cameras.filter(c => c.windows.length).length;
  const head = h('div', { class: 'tl-head' },
    h('div', { class: 'corner', text: `${t('cameras_n', cameras.length)}, ${t('with_footage', withFootage)}` }),
    axis(start, end));
  const rows = h('div', { class: 'tl-rows', id: 'tl-rows' });
  rows.style.height = (cameras.length * ROW) + 'px';
  const body = h('div', { class: 'tl-body', id: 'tl-body' }, rows);
  const foot = h('div', { class: 'tl-foot' }, legendBand(), ' ', h('span', { id: 'tl-range', data: { from: answer.from, to: answer.to, maxGap: answer.max_gap_seconds },
    text: t('footage_of', showInstant(answer.from), showInstant(answer.to)) }),
    ' ', h('button', { type: 'button', id: 'zoom-in', disabled: span <= 60000, text: t('zoom_in') + ' +', onclick: () => zoom(start, end, 0.5, 0.5) }),
    ' ', h('button', { type: 'button', id: 'zoom-out', text: t('zoom_out') + ' −', onclick: () => zoom(start, end, 2, 0.5) }),
    ' ', h('button', { type: 'button', text: '← ' + t('earlier'), onclick: () => pan(start, end, -0.25) }),
    ' ', h('button', { type: 'button', text: t('later') + ' →', onclick: () => pan(start, end, 0.25) }));
  box.replaceChildren(head, body, foot);
  box.dataset.cameras = String(cameras.length);
  if (!cameras.length) { body.append(h('p', { class: 'empty', text: t('no_cameras') })); return; }
  // Only the rows on screen are in the DOM: a county's thousands of cameras stay quick.
  const drawn = new Map();
  const render = () => {
    const top = body.scrollTop, height = body.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / ROW) - 10), last = Math.min(cameras.length - 1, Math.ceil((top + height) / ROW) + 10);
    for (const [i, el] of drawn) if (i < first || i > last) { el.remove(); drawn.delete(i); }
    for (let i = first; i <= last; i++) {
      if (drawn.has(i)) continue;
      const el = bandRow(cameras[i], start, span);
      el.style.top = (i * ROW) + 'px';
      el.dataset.index = String(i);
      rows.append(el);
      drawn.set(i, el);
    }
    box.dataset.drawnAt = String(performance.now());
  };
  let pending = false;
  body.addEventListener('scroll', () => { if (!pending) { pending = true; requestAnimationFrame(() => { pending = false; render(); }); } });
  render();
  // Zoom with Ctrl or Shift and the wheel around the pointer; keys when the timeline has focus.
  body.addEventListener('wheel', (ev) => {
    if (!ev.ctrlKey && !ev.shiftKey) return;
    ev.preventDefault();
    const band = rows.querySelector('.band');
    const rect = band ? band.getBoundingClientRect() : body.getBoundingClientRect();
    const at = Math.min(1, Math.max(0, (ev.clientX - rect.left) / rect.width));
    zoom(start, end, ev.deltaY < 0 ? 0.5 : 2, at);
  }, { passive: false });
  box.onkeydown = (ev) => {
    if (ev.key === '+' || ev.key === '=') zoom(start, end, 0.5, 0.5);
    else if (ev.key === '-') zoom(start, end, 2, 0.5);
    else if (ev.key === 'ArrowLeft') pan(start, end, -0.25);
    else if (ev.key === 'ArrowRight') pan(start, end, 0.25);
    else return;
    ev.preventDefault();
  };
  box.dataset.ready = '1';
}

function zoom(start, end, factor, at) {
  const span = end - start;
  const next = Math.min(31 * 86400000, Math.max(60000, Math.round(span * factor / 1000) * 1000));
  const pivot = start + span * at;
  const from = Math.round((pivot - next * at) / 1000) * 1000;
  navigate({ from: rfc3339(from), to: rfc3339(from + next) });
}
function pan(start, end, by) {
  const shift = Math.round((end - start) * by / 1000) * 1000;
  navigate({ from: rfc3339(start + shift), to: rfc3339(end + shift) });
}

function axis(start, end) {
  const el = h('div', { class: 'tl-axis', id: 'tl-axis' });
  const span = end - start;
  const steps = [5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 2 * 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 2 * 86400, 7 * 86400].map(s => s * 1000);
  const step = steps.find(s => span / s <= 12) || steps[steps.length - 1];
  // Ticks on the zone's round times: from the zone's midnight before the start.
  let tick = dayStart(start);
  while (tick < start) tick += step;
  for (; tick <= end; tick += step) {
    const p = zoneParts(tick);
    const label = step >= 86400000 || (p.h === '00' && p.mi === '00' && p.s === '00') ? `${p.mo}-${p.d} ${p.h}:${p.mi}` : step < 60000 ? `${p.h}:${p.mi}:${p.s}` : `${p.h}:${p.mi}`;
    const mark = h('span', { class: 'tick', text: label });
    mark.style.left = ((tick - start) / span * 100) + '%';
    el.append(mark);
  }
  // Dragging the axis moves the range.
  let dragFrom = null;
  el.addEventListener('mousedown', (ev) => { dragFrom = ev.clientX; });
  window.addEventListener('mouseup', (ev) => {
    if (dragFrom === null) return;
    const dx = ev.clientX - dragFrom; dragFrom = null;
    const width = el.getBoundingClientRect().width || 1;
    if (Math.abs(dx) > 5) pan(start, end, -dx / width);
  }, { once: false });
  return el;
}

function legendBand() {
  const item = (cls, key) => h('span', {}, h('i', { class: 'sq seg-legend ' + cls }), t(key));
  const legend = h('span', { class: 'legend' }, item('rec', 'legend_rec'), item('unv', 'legend_unv'), item('dev', 'legend_dev'), item('gap', 'legend_gap'),
    item('live', 'legend_live'), item('low', 'legend_low'));
  const colours = { rec: '#0072B2', unv: '#56B4E9', dev: '#CC79A7', gap: '#D55E00', live: '#009E73', low: '#E69F00' };
  for (const i of legend.querySelectorAll('i')) i.style.background = colours[i.classList[2]];
  return legend;
}

function bandRow(c, start, span) {
  const place = (el, a, b) => {
    const left = Math.max(0, (Date.parse(a) - start) / span), right = Math.min(1, (Date.parse(b) - start) / span);
    el.style.left = (left * 100) + '%';
    el.style.width = (Math.max(0, right - left) * 100) + '%';
    return right - left;
  };
  const band = h('div', { class: 'band' });
  for (const w of c.windows) {
    const dev = w.source === 'device';
    const el = h('span', { class: 'seg ' + (dev ? 'dev' : w.verified === false ? 'unv' : 'rec') + (c.low_confidence && !dev ? ' low' : ''),
      data: { start: w.start, end: w.end, seconds: w.seconds, verified: w.verified === false ? 'false' : 'true', source: dev ? 'device' : 'file' },
      title: t('win_title', duration(w.seconds), showInstant(w.start), showInstant(w.end)) + (dev ? ' · ' + t('on_device') : w.verified === false ? ' · ' + t('unverified') : '') });
    place(el, w.start, w.end);
    band.append(el);
  }
  for (const g of c.gaps) {
    const el = h('span', { class: 'seg gap', data: { start: g.start, end: g.end, seconds: g.seconds },
      title: t('gap_title', duration(g.seconds), showInstant(g.start), showInstant(g.end)) });
    const share = place(el, g.start, g.end);
    if (share > 0.06) el.textContent = t('gap_short', duration(g.seconds));
    band.append(el);
  }
  for (const l of c.live_windows || []) {
    const el = h('span', { class: 'seg live', data: { start: l.start, end: l.end, seconds: l.seconds },
      title: t('live_title', duration(l.seconds), showInstant(l.start), showInstant(l.end)) });
    place(el, l.start, l.end);
    band.append(el);
  }
  const label = h('div', { class: 'label', title: `${c.name} (${c.id}) · ${c.region_path.map(r => r.name).join(' / ')}` },
    h('a', { href: '?view=camera&camera=' + encodeURIComponent(c.id) + langParam(), text: c.name,
      onclick: (ev) => { ev.preventDefault(); navigate({ view: 'camera', camera: c.id }); } }),
    h('span', { class: 'cov', text: (c.coverage * 100).toFixed(1) + '%' }),
    c.verified ? null : h('span', { class: 'badge unv', text: t('unverified') }),
    c.low_confidence ? h('span', { class: 'badge low', text: t('low_confidence') }) : null,
    c.enabled ? null : h('span', { class: 'badge', text: t('disabled') }));
  return h('div', { class: 'tl-row', data: { camera: c.id, name: c.name, coverage: c.coverage, covered: c.covered_seconds,
    gaps: c.gaps.length, windows: c.windows.length } }, label, band);
}

// ---------------------------------------------------------------- a camera

async function drawCamera(root) {
  const id = params().getAll('camera')[0];
  const main = h('main', { id: 'camera-page' });
  root.append(main);
  main.append(h('p', {}, h('a', { href: '?' + langParam().slice(1), onclick: (ev) => { ev.preventDefault(); navigate({ view: null, camera: null }); }, text: '← ' + t('back') })));
  if (!id) { main.append(h('p', { class: 'empty', text: t('pick_region') })); return; }
  let c;
  try { c = await api('GET', '/api/v1/cameras/' + encodeURIComponent(id) + '?probes=30&files=50'); } catch (e) {
    main.append(h('div', { class: 'error', role: 'alert', id: 'camera-error', data: { code: e.code }, text: e.message })); return;
  }
  const lastFull = c.last_full_probe;
  const panel = h('section', { class: 'panel', id: 'camera-detail', data: { camera: c.id } },
    h('h2', { text: c.name }),
    h('dl', { class: 'kv' },
      h('dt', { text: t('id') }), h('dd', { text: c.id }),
      h('dt', { text: t('region') }), h('dd', { text: c.region_path.map(r => r.name).join(' / ') }),
      h('dt', { text: t('url') }), h('dd', { id: 'camera-url', text: c.url || '—' }),
      h('dt', { text: t('state') }), h('dd', { id: 'camera-state', text: `${t('state_' + c.state)}${c.since ? ' · ' + t('since') + ' ' + showInstant(c.since) : ''}` }),
      h('dt', { text: t('failures') }), h('dd', { text: String(c.consecutive_failures) }),
      h('dt', { text: t('clock') }), h('dd', { text: lastFull && lastFull.clock_offset_s !== undefined && lastFull.clock_offset_s !== null ? t('seconds_s', lastFull.clock_offset_s) + ' (' + showInstant(lastFull.at) + ')' : '—' }),
      h('dt', { text: t('segments') }), h('dd', { text: `${c.footage.segments} · ${t('first')} ${showInstant(c.footage.first)} · ${t('last')} ${showInstant(c.footage.last)} · ${duration(c.footage.covered_seconds)}` }),
      h('dt', { text: t('time_sources') }), h('dd', { text: Object.entries(c.footage.time_sources).map(([k, v]) => `${t('ts_' + k)}: ${v}`).join(', ') || '—' })));
  const g = c.gb_channel;
  if (g) {
    const device = g.device + (g.device_online === undefined || g.device_online === null ? ''
      : ` · ${t(g.device_online ? 'gb_online' : 'gb_offline')} · ${t('since')} ${showInstant(g.device_since)}${g.device_reason ? ' (' + g.device_reason + ')' : ''}`);
    panel.querySelector('dl').append(
      h('dt', { text: t('gb_device') }), h('dd', { id: 'camera-gb-device', text: device }),
      h('dt', { text: t('gb_status') }), h('dd', { id: 'camera-gb-status', data: { online: g.online ? '1' : '0' },
        text: `${g.status || '—'} · ${showInstant(g.status_at)}${[g.manufacturer, g.model].filter(Boolean).length ? ' · ' + [g.manufacturer, g.model].filter(Boolean).join(' ') : ''}${g.placed ? '' : ' · ' + t('unplaced')}` }));
  }
  main.append(panel);

  const thumbs = h('div', { class: 'thumbs' });
  const thumb = (faulty, key) => {
    const figure = h('figure', {}, h('figcaption', { text: t(key) }));
    if (!app.session.permissions.includes('thumbnails')) return figure;
    const img = h('img', { alt: t(key), src: '/api/v1/cameras/' + encodeURIComponent(c.id) + '/thumbnail' + query({ faulty: faulty ? '1' : null, reason: caseReason() || null }) });
    img.addEventListener('error', () => img.replaceWith(h('span', { class: 'empty', text: t('none') })));
    figure.append(img);
    return figure;
  };
  thumbs.append(thumb(false, 'last_good'), thumb(true, 'last_faulty'));
  const quality = c.quality ? h('p', { id: 'camera-quality', text: (c.quality.ok ? t('picture_ok') : t('picture_faulty') + ': ' + c.quality.faults.map(f => `${f.fault} ${f.measured} (${f.threshold})`).join(', ')) + ' · ' + showInstant(c.quality.checked_at) }) : h('p', { class: 'empty', text: '—' });
  main.append(h('section', { class: 'panel' }, h('h2', { text: t('quality') }), quality, thumbs));

  const probes = h('table', { class: 'data', id: 'camera-probes' }, h('tr', {}, ['at', 'depth', 'result', 'video', 'clock'].map(k => h('th', { text: t(k) }))));
  for (const p of c.probes) {
    probes.append(h('tr', {},
      h('td', { text: showInstant(p.at) }), h('td', { text: p.depth }),
      h('td', { text: p.ok ? 'ok' : (p.error || 'failed') + (p.message ? ': ' + p.message : '') }),
      h('td', { text: p.codec ? `${p.codec} ${p.width || '?'}×${p.height || '?'} ${p.fps ? p.fps + ' fps' : ''}` : '—' }),
      h('td', { class: 'num', text: p.clock_offset_s !== undefined && p.clock_offset_s !== null ? String(p.clock_offset_s) : '—' })));
  }
  main.append(h('section', { class: 'panel' }, h('h2', { text: t('probes') }), probes));

  const files = h('table', { class: 'data', id: 'camera-files' }, h('tr', {}, ['start', 'end', 'time_sources', 'file_checks', 'video', 'size', 'path'].map(k => h('th', { text: t(k) }))));
  for (const f of c.files) {
    const checks = [f.verified ? null : t('unverified'),
      f.truncated ? 'truncated' : null, f.stalled_timestamps ? 'stalled' : null, f.bad_timestamps ? `bad timestamps ${f.bad_timestamps}` : null].filter(Boolean);
    files.append(h('tr', { data: { path: f.path, source: f.time_source || '' } },
      h('td', { text: showInstant(f.start) }), h('td', { text: showInstant(f.end) }), h('td', { text: f.time_source ? t('ts_' + f.time_source) : '—' }),
      h('td', { text: checks.join(', ') || 'ok' }),
      h('td', { text: f.codec ? `${f.codec} ${f.width || '?'}×${f.height || '?'}` : '—' }),
      h('td', { class: 'num', text: bytes(f.size) }), h('td', { text: f.path })));
  }
  main.append(h('section', { class: 'panel' }, h('h2', { text: t('recent_files') }), c.files.length ? files : h('p', { class: 'empty', text: t('none') })));

  if (c.index_errors.length) {
    const errors = h('table', { class: 'data' }, h('tr', {}, h('th', { text: t('path') }), h('th', { text: t('error') }), h('th', { text: t('at') })));
    for (const e of c.index_errors) errors.append(h('tr', {}, h('td', { text: e.path }), h('td', { text: e.error }), h('td', { text: showInstant(e.at) })));
    main.append(h('section', { class: 'panel' }, h('h2', { text: t('index_errors') }), errors));
  }
  if (app.session.permissions.includes('footage')) {
    const timeline = h('section', { class: 'timeline', id: 'timeline', tabindex: '0' });
    main.append(timeline);
    loadTimeline(timeline, { kind: 'cameras', cameras: [c.id] }, range());
  }
}

// ---------------------------------------------------------------- export

async function drawExport(root) {
  const main = h('main', { id: 'export-page' });
  root.append(main);
  const job = params().get('job');
  if (job) return drawJob(main, job);
  const sel = selection(), r = range();
  main.append(h('section', { class: 'panel' }, h('h2', { text: t('export').replace('…', '') }),
    h('p', { class: 'selection', text: selectionTitle(sel) }),
    h('p', { text: t('footage_of', showInstant(r.from), showInstant(r.to)) })));
  if (sel) {
    const reason = h('input', { type: 'text', id: 'export-reason', size: 60, required: app.session.reason_required, value: caseReason(),
      onchange: () => setCaseReason(reason.value.trim()) });
    const out = h('div', { id: 'export-plan' });
    const body = () => {
      const b = { from: r.from, to: r.to, reason: reason.value.trim() || undefined };
      if (sel.kind === 'region') b.region = sel.region;
      else if (sel.kind === 'cameras') b.cameras = sel.cameras;
      else { b.near = sel.near; b.radius = sel.radius; }
      return b;
    };
    const dry = h('button', { type: 'button', id: 'export-dry-run', text: t('dry_run'), onclick: async () => {
      out.replaceChildren(h('p', { class: 'loading', text: t('loading') }));
      try { const answer = await api('POST', '/api/v1/exports', { ...body(), dry_run: true }); out.replaceChildren(planTable(answer.manifest)); go.disabled = false; }
      catch (e) { out.replaceChildren(h('div', { class: 'error', role: 'alert', data: { code: e.code }, text: e.message })); }
    } });
    const go = h('button', { type: 'button', class: 'primary', id: 'export-start', disabled: true, text: t('start_export'), onclick: async () => {
      go.disabled = true;
      try { const j = await api('POST', '/api/v1/exports', body()); navigate({ job: j.id }); }
      catch (e) { go.disabled = false; out.append(h('div', { class: 'error', role: 'alert', data: { code: e.code }, text: e.message })); }
    } });
    main.append(h('section', { class: 'panel' },
      h('label', { for: 'export-reason', text: t('reason') + ' ' + (app.session.reason_required ? t('reason_required') : '') }), ' ', reason,
      h('p', {}, dry, ' ', go), out));
  }
  try {
    const jobs = await api('GET', '/api/v1/exports');
    const table = h('table', { class: 'data', id: 'export-list' }, h('tr', {}, ['id', 'created', 'job_state', 'reason'].map(k => h('th', { text: t(k) }))));
    for (const j of jobs.slice().reverse()) {
      table.append(h('tr', {}, h('td', {}, h('a', { href: '?view=export&job=' + encodeURIComponent(j.id), text: j.id,
        onclick: (ev) => { ev.preventDefault(); navigate({ view: 'export', job: j.id }); } })),
        h('td', { text: showInstant(j.created_at) }), h('td', { text: t('state_' + j.state) }), h('td', { text: j.request.reason || '' })));
    }
    main.append(h('section', { class: 'panel' }, h('h2', { text: t('my_exports') }), table));
  } catch (e) { main.append(h('div', { class: 'error', text: e.message })); }
}

function planTable(m) {
  const table = h('table', { class: 'data', id: 'export-plan-table' }, h('tr', {}, ['camera', 'parts', 'holes', 'est_size'].map(k => h('th', { text: t(k) }))));
  let total = 0;
  for (const c of m.cameras) {
    const size = c.clips.reduce((a, p) => a + (p.estimated_bytes || 0), 0);
    total += size;
    table.append(h('tr', { data: { camera: c.id, parts: c.clips.length, holes: c.holes.length } },
      h('td', { text: `${c.name} (${c.id})` }),
      h('td', {}, c.clips.map(p => h('div', { text: `${showInstant(p.starts_at)} – ${showInstant(p.ends_at)}` }))),
      h('td', {}, c.error ? h('div', { class: 'error', text: c.error }) : null,
        c.holes.map(g => h('div', { text: `${showInstant(g.start)} – ${showInstant(g.end)} (${duration(g.seconds)})${g.cause ? ': ' + g.cause : ''}` }))),
      h('td', { class: 'num', text: bytes(size) })));
  }
  table.append(h('tr', {}, h('th', { text: t('total') }), h('td', {}), h('td', {}), h('td', { class: 'num', id: 'export-estimate', data: { bytes: total }, text: bytes(total) })));
  return table;
}

async function drawJob(main, id) {
  const box = h('section', { class: 'panel', id: 'export-job', data: { job: id } }, h('h2', { text: t('job') + ' ' + id }));
  main.append(box);
  const state = h('p', { id: 'export-state' }), progress = h('div', { class: 'progress', id: 'export-progress' }), files = h('div', { id: 'export-files' });
  box.append(state, progress, files);
  const poll = async () => {
    if (!document.body.contains(box)) return;
    let j;
    try { j = await api('GET', '/api/v1/exports/' + encodeURIComponent(id)); } catch (e) {
      state.replaceChildren(h('span', { class: 'error', text: e.message })); return;
    }
    state.dataset.state = j.state;
    state.textContent = t('job_state') + ': ' + t('state_' + j.state) + (j.error ? ' — ' + j.error.message : '');
    progress.textContent = j.progress.join('\n');
    if (j.state === 'queued' || j.state === 'running') { setTimeout(poll, 1000); return; }
    const hashes = new Map(j.parts.map(p => [p.file, p]));
    const list = h('table', { class: 'data', id: 'export-file-list' }, h('tr', {}, ['file', 'size', 'SHA-256'].map(k => h('th', { text: k === 'SHA-256' ? k : t(k) }))));
    for (const name of j.files) {
      const p = hashes.get(name);
      const href = '/api/v1/exports/' + encodeURIComponent(id) + '/files/' + encodeURIComponent(name);
      const isRecord = /record/.test(name) && /\.html$/.test(name);
      list.append(h('tr', { data: { file: name, sha256: p ? p.sha256 : null } },
        h('td', {}, h('a', { href, download: isRecord ? null : name, target: isRecord ? '_blank' : null, rel: 'noopener', text: isRecord ? t('record') + ' (' + name + ')' : name })),
        h('td', { class: 'num', text: p ? bytes(p.bytes) : '' }), h('td', { text: p ? p.sha256 : '' })));
    }
    files.replaceChildren(list);
  };
  poll();
}

// ---------------------------------------------------------------- health and KPIs

async function drawHealth(root) {
  const main = h('main', { id: 'health-page' });
  root.append(h('div', { class: 'layout' }, regionTree(params().get('region')), main));
  const region = params().get('region') || defaultRegion();
  const may = new Set(app.session.permissions);
  if (may.has('health')) {
    try {
      const health = await api('GET', '/api/v1/health' + query({ region }));
      const checks = h('table', { class: 'data', id: 'health-checks' }, h('tr', {}, ['check', 'status', 'problem', 'details'].map(k => h('th', { text: t(k) }))));
      for (const c of health.checks) {
        checks.append(h('tr', { data: { check: c.name, status: c.status } }, h('td', { text: c.name }), h('td', { class: 'status-' + c.status, text: c.status }),
          h('td', { text: c.problem || '' }), h('td', {}, c.details.slice(0, 20).map(d => h('div', { text: d })))));
      }
      const online = h('table', { class: 'data', id: 'health-online' }, h('tr', {}, ['region', 'cameras', 'online', 'online_rate'].map(k => h('th', { text: t(k) }))));
      for (const r of health.regions) {
        online.append(h('tr', { data: { region: r.code } }, h('td', { text: r.name }), h('td', { class: 'num', text: String(r.cameras) }),
          h('td', { class: 'num', text: String(r.online) }), h('td', { class: 'num', text: r.online_percent === null || r.online_percent === undefined ? '—' : r.online_percent + '%' })));
      }
      main.append(h('section', { class: 'panel' }, h('h2', {}, t('checks') + ': ', h('span', { class: 'status-' + health.status, id: 'health-status', text: health.status })),
        h('p', { text: health.summary }), checks, h('h3', { text: t('online_by_region') }), online));
    } catch (e) { main.append(h('div', { class: 'error', text: e.message })); }
  }
  if (may.has('reports')) {
    const p = params();
    const period = h('select', { id: 'report-period' }, h('option', { value: 'day', text: t('day') }), h('option', { value: 'week', text: t('week') }));
    period.value = p.get('period') === 'week' ? 'week' : 'day';
    const date = h('input', { type: 'text', id: 'report-date', size: 12, value: p.get('date') || 'yesterday' });
    const section = h('section', { class: 'panel' }, h('h2', { text: t('kpi') }),
      h('div', { class: 'filters' }, h('label', { text: t('period') }), period, h('label', { text: t('date') }), date,
        h('button', { type: 'button', text: t('apply'), onclick: () => navigate({ period: period.value, date: date.value }) })));
    main.append(section);
    try {
      const report = await api('GET', '/api/v1/report' + query({ region, period: period.value, date: date.value }));
      const table = h('table', { class: 'data', id: 'report-kpis' }, h('tr', {}, ['region', 'level', 'cameras', 'online_rate', 'recording_integrity', 'good_rate'].map(k => h('th', { text: t(k) }))));
      for (const k of report.regions) {
        const prev = (v) => v === null || v === undefined ? '' : ` (${t('previous')} ${percent(v)})`;
        table.append(h('tr', { data: { region: k.code } }, h('td', { text: k.name }), h('td', { text: k.level }), h('td', { class: 'num', text: String(k.cameras) }),
          h('td', { class: 'num', text: percent(k.online_rate) + prev(k.previous && k.previous.online_rate) }),
          h('td', { class: 'num', text: percent(k.recording_integrity) + prev(k.previous && k.previous.recording_integrity) }),
          h('td', { class: 'num', text: percent(k.good_rate) + prev(k.previous && k.previous.good_rate) })));
      }
      section.append(h('p', { text: t('footage_of', showInstant(report.from), showInstant(report.to)) }), table,
        h('ul', {}, report.definitions.map(d => h('li', { text: d }))));
    } catch (e) { section.append(h('div', { class: 'error', text: e.message })); }
  }
}

// ---------------------------------------------------------------- audit

async function drawAudit(root) {
  const main = h('main', { id: 'audit-page' });
  root.append(main);
  const p = params();
  const field = (name, size) => h('input', { type: 'text', id: 'audit-' + name, size, value: p.get('a_' + name) || '', 'aria-label': t(name === 'user' ? 'user' : name) });
  const f = { from: field('from', 22), to: field('to', 22), user: field('user', 10), camera: field('camera', 22), command: field('command', 12) };
  main.append(h('section', { class: 'panel' }, h('h2', { text: t('audit') }),
    h('div', { class: 'filters' }, t('from'), f.from, t('to'), f.to, t('user'), f.user, t('camera'), f.camera, t('command'), f.command,
      h('button', { type: 'button', id: 'audit-filter', text: t('filter'), onclick: () => navigate(Object.fromEntries(Object.entries(f).map(([k, el]) => ['a_' + k, el.value.trim()]))) }))));
  try {
    const v = await api('GET', '/api/v1/audit/verify');
    main.append(h('p', { id: 'audit-verify', class: v.intact ? 'ok' : 'error', data: { intact: String(v.intact) },
      text: v.intact ? t('audit_verify_ok', v.rows, v.head.slice(0, 16)) : t('audit_verify_bad', v.problem, v.first_broken) }));
    const rows = await api('GET', '/api/v1/audit' + query({ from: p.get('a_from'), to: p.get('a_to'), user: p.get('a_user'), camera: p.get('a_camera'), command: p.get('a_command') }));
    const shown = rows.slice(-500).reverse();
    const table = h('table', { class: 'data', id: 'audit-rows' }, h('tr', {}, ['id', 'at', 'user', 'command', 'reason', 'result'].map(k => h('th', { text: t(k) }))));
    for (const r of shown) {
      table.append(h('tr', { data: { id: r.id } }, h('td', { class: 'num', text: String(r.id) }), h('td', { text: showInstant(r.at) }), h('td', { text: r.user }),
        h('td', { text: r.command, title: r.arguments.join(' ') }), h('td', { text: r.reason || '' }), h('td', { text: r.result })));
    }
    main.append(h('p', { text: t('rows_n', rows.length) }), table);
  } catch (e) { main.append(h('div', { class: 'error', text: e.message })); }
}

window.addEventListener('DOMContentLoaded', start);
})();
