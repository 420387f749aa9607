-- One row per account (or the one named), without its password hash.
--
-- Parameters:
--   $user_name   one account's name; null = every account
--   $email       one account by its e-mail (lower case); null = any
-- Columns:
--   user_name, display_name, role, scope_department, scope_territory, scope_cm, email,
--   has_password boolean, active boolean, created_at, changed_at timestamp

select user_name, display_name, role, scope_department, scope_territory, scope_cm, email,
       password_hash is not null as has_password, active, created_at, changed_at
from account
where ($user_name is null or user_name = $user_name)
  and ($email is null or email = $email)
order by user_name
