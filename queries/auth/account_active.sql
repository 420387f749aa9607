-- Enable or disable one account (run on a writer's connection); its sessions end either way.
--
-- Parameters:
--   $user_name   the account's name
--   $active      true to enable, false to disable
--   $at          when (UTC)

update account set active = $active, changed_at = $at
where user_name = $user_name
