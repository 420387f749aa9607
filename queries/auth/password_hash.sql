-- One row (or none): the stored argon2 hash of an active account, for checking a password.
--
-- Parameters:
--   $user_name   the account's name
-- Columns:
--   password_hash  varchar (null for a company sign-on-only account)

select password_hash
from account
where user_name = $user_name and active
