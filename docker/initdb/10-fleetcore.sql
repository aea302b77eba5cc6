-- Runs once, when the TimescaleDB container initialises its data directory.
CREATE ROLE fleetcore LOGIN NOSUPERUSER NOBYPASSRLS CREATEDB PASSWORD 'fleetcore';
CREATE DATABASE fleetcore OWNER fleetcore;
\connect fleetcore
CREATE EXTENSION IF NOT EXISTS timescaledb;
