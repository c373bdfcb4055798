"""Text processing before the models: cleaning, language, entities, places, personal data.

`nlp.pipeline.analyze` runs it all; the modules below it each do one job:
clean, language, regions (+ data/regions.json), settlements, addresses, dates, names,
entities, places, pii (pii_numbers, pii_names, checksums); runtime loads natasha once;
tables reads and writes the analysts' CSV, XLSX and JSONL files.
"""
