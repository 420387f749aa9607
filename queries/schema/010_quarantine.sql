-- The quarantine keeps one row per distinct bad row: re-importing the same bad rows
-- replaces the earlier ones instead of adding them again. Each row also says which
-- worksheet it came from and on which line of the file it ended.
alter table quarantine add column if not exists sheet varchar;         -- worksheet of a workbook, null for a CSV
alter table quarantine add column if not exists line_number integer;   -- physical line in a CSV where known
alter table quarantine add column if not exists row_key varchar;       -- md5 of kind, reason and the row as read

update quarantine set row_key = md5(concat_ws(chr(31), kind, reason_code, raw));

delete from quarantine as q
where exists (
    select 1 from quarantine as later
    where later.row_key = q.row_key and later.import_id > q.import_id
);
