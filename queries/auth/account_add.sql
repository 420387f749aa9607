-- Add one account (run on a writer's connection).
--
-- Parameters:
--   $user_name, $display_name, $role, $scope_department, $scope_territory, $scope_cm,
--   $email, $password_hash   the new account's fields
--   $at   when (UTC)

insert into account (user_name, display_name, role, scope_department, scope_territory, scope_cm,
                     email, password_hash, active, created_at, changed_at)
values ($user_name, $display_name, $role, $scope_department, $scope_territory, $scope_cm,
        $email, $password_hash, true, $at, $at)
