# One image for web (gunicorn, HTTP), ws (uvicorn, websockets), worker and beat (Celery). Build: docker compose build
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 1000 app

# Tesseract with the six languages' packs: the worker reads screenshots for secrets (support/screenshots.py).
RUN apt-get update \
    && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-eng tesseract-ocr-chi-sim \
       tesseract-ocr-jpn tesseract-ocr-kor tesseract-ocr-rus tesseract-ocr-spa \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY . .
RUN pip install --upgrade pip && pip install . \
    && DEBUG=0 SECRET_KEY=build-only-not-secret python manage.py collectstatic --noinput -v0 \
    && mkdir -p /app/var/media && chown -R app:app /app/var

USER app
EXPOSE 8000
# The HTTP side by default; docker-compose.yml runs the same image as ws (uvicorn), worker and beat.
CMD ["gunicorn", "support.wsgi:application", "--config", "deploy/gunicorn.conf.py", "--bind", "0.0.0.0:8000"]
