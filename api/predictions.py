"""The prediction columns a classified row gets: `otklik classify` and `classify-archive`."""

from __future__ import annotations


def prediction_columns(result) -> dict:
    record = result.to_dict()
    region = (record["places"] or {}).get("region") or {}
    return {
        "topic": record["topic"]["id"],
        "topic_name": record["topic"]["name"],
        "topic_score": record["topic"]["score"],
        "sentiment": record["sentiment"]["id"],
        "sentiment_score": record["sentiment"]["score"],
        "type": record["type"]["id"],
        "type_score": record["type"]["score"],
        "aspects": [a["id"] for a in record["aspects"]],
        "urgency": record["urgency"]["level"],
        "urgency_score": record["urgency"]["score"],
        "region": region.get("name"),
        "region_code": region.get("code"),
        "language": record["language"],
        "masked_text": record["masked_text"],
    }
