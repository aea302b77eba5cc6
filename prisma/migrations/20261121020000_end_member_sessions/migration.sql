-- Ending another member's sessions from a tenant scope (role change, removal).
--
-- adm_sessions' policy shows a caller only their own sessions, so a tenant admin's transaction
-- cannot delete a member's sessions directly — and should not be able to read them. This function
-- runs with its owner's rights (the table owner, to whom RLS does not apply) but is confined to the
-- caller's current tenant: it deletes only sessions of `p_user_id` whose active tenant is
-- app_tenant_id(), and nothing at all without a tenant setting. It runs in the caller's transaction,
-- so the sessions end atomically with the change that ends them.
CREATE FUNCTION "app_end_member_sessions"(p_user_id uuid) RETURNS integer
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
  WITH ended AS (
    DELETE FROM adm_sessions
     WHERE user_id = p_user_id
       AND active_tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid
    RETURNING 1
  )
  SELECT count(*)::int FROM ended
$$;
REVOKE ALL ON FUNCTION "app_end_member_sessions"(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION "app_end_member_sessions"(uuid) TO fleetcore_app;
