DROP TABLE event_feeds;
DROP TABLE events;
