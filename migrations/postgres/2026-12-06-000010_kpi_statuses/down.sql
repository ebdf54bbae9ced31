DROP TABLE kpi_statuses;
