DROP TABLE audit_log;
DROP TABLE plans;
DROP TABLE organisations;
