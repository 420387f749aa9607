-- Replace one account's password hash (run on a writer's connection); its sessions end.
--
-- Parameters:
--   $user_name       the account's name
--   $password_hash   the new argon2 hash
--   $at              when (UTC)

update account set password_hash = $password_hash, changed_at = $at
where user_name = $user_name
