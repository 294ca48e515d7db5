"""Checking records: fields and lists, 索引号, collisions with generated pages, visibility (公示期, 定时发布), deadlines and yearly statistics."""
