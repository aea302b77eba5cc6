-- Runs once, when the TimescaleDB container initialises its data directory.
-- fleetcore owns the database (migrations, seed); fleetcore_app is what the application connects
-- as: no superuser, no BYPASSRLS, owns nothing, so row-level security applies to all its queries.
CREATE ROLE fleetcore LOGIN NOSUPERUSER NOBYPASSRLS CREATEDB PASSWORD 'fleetcore';
CREATE ROLE fleetcore_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB PASSWORD 'fleetcore_app';
CREATE DATABASE fleetcore OWNER fleetcore;
\connect fleetcore
CREATE EXTENSION IF NOT EXISTS timescaledb;
