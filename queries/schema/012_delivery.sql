-- Delivery of the 周报 and alerts, and the map's coordinates and 片区 shapes.
-- Written to run again harmlessly (an upgrade test replays migrations from an older version).
--
-- delivery_recipient: who gets the Monday 周报, of which scope, by which channels (admins edit it).
-- The scope columns are named scope_* on purpose: a store table with a territory_code column
-- is cut to the reader's scope, and this list is read whole by the delivery run.
create table if not exists delivery_recipient (
    recipient_id     integer primary key,
    name             varchar not null,
    scope_department varchar,                 -- 市场部; all three null = the whole city
    scope_territory  varchar,                 -- 片区
    scope_cm         varchar,                 -- 客户经理
    lang             varchar not null default 'zh' check (lang in ('zh', 'en')),
    formats          varchar not null default 'xlsx',   -- 'xlsx', 'pdf' or 'pdf,xlsx'
    email            varchar,                 -- addresses separated by commas; null = no e-mail
    wecom_webhook    varchar,                 -- 企业微信 group robot URL (…/cgi-bin/webhook/send?key=…)
    dingtalk_webhook varchar,                 -- 钉钉 group robot URL (…/robot/send?access_token=…)
    dingtalk_secret  varchar,                 -- the robot's 加签 secret (SEC…), or env:VARIABLE
    active           boolean not null default true
);

-- One row per attempt to deliver a week's 周报 to a recipient on a channel. A 'sent' row
-- keeps the week from being sent again on that channel unless the run is forced.
create table if not exists delivery_log (
    week         date not null,               -- the report week (Monday)
    recipient_id integer not null,
    channel      varchar not null check (channel in ('email', 'wecom', 'dingtalk')),
    status       varchar not null check (status in ('sent', 'failed')),
    attempts     integer not null,
    detail       varchar,                     -- attachments sent, or the last error
    logged_at    timestamp not null
);

-- Where each retailer stands, for the map: the retailer file's optional 经度/纬度 columns as the
-- file gave them (text, so a bad cell never fails an import; the map reads what parses) and
-- the coordinate system they are in: WGS-84 (GPS, default), GCJ-02 (高德, 腾讯) or BD-09 (百度).
-- A table of its own, not columns of `retailer`, so the retailer rows keep their shape.
create table if not exists retailer_position (
    license_no   varchar primary key,
    longitude    varchar,
    latitude     varchar,
    coord_system varchar
);

-- 片区 outlines imported from GeoJSON (WGS-84); a 片区 without one is drawn around its retailers.
create table if not exists territory_shape (
    territory_code varchar primary key,
    geometry       varchar not null,          -- the GeoJSON geometry (Polygon or MultiPolygon) as text
    imported_at    timestamp not null
);
