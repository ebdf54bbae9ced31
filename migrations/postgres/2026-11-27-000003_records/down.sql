DROP TABLE milestones;
DROP TABLE observations;
DROP TABLE projects;
DROP TABLE surveys;
DROP TABLE activities;
DROP TABLE members;
