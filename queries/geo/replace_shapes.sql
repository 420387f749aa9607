-- Stores the outlines of the registered frame `shapes_frame` (territory_code, geometry),
-- replacing those of the same 片区; others stay (run on a write connection by import-shapes).

delete from territory_shape where territory_code in (select territory_code from shapes_frame);
insert into territory_shape
select territory_code, geometry, now() from shapes_frame;
