/*
 * bytes.c: byte queues, and the (buf, *len) protocol every variable-length
 * output of the ABI follows.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

sectrans_status copy_out(const void *value, size_t value_len, void *buf,
                         size_t *len) {
  if (len == NULL)
    return SECTRANS_ERR_PARAM;
  if ((buf == NULL && value_len > 0) || *len < value_len) {
    *len = value_len;
    return SECTRANS_ERR_BUFFER_OVERFLOW;
  }
  if (value_len > 0)
    memcpy(buf, value, value_len);
  *len = value_len;
  return SECTRANS_SUCCESS;
}

sectrans_status copy_in(uint8_t **field, size_t *field_len, const void *data,
                        size_t len) {
  uint8_t *copy = malloc(len ? len : 1);
  if (copy == NULL)
    return SECTRANS_ERR_ALLOCATE;
  if (len > 0)
    memcpy(copy, data, len);
  free(*field);
  *field = copy;
  *field_len = len;
  return SECTRANS_SUCCESS;
}

size_t bytes_queued(const struct bytes *b) { return b->len - b->start; }

const uint8_t *bytes_head(const struct bytes *b) { return b->data + b->start; }

uint8_t *bytes_reserve(struct bytes *b, size_t len) {
  if (b->start > 0 && b->len + len > b->cap) {
    /* Reuse the consumed front before growing. */
    memmove(b->data, b->data + b->start, b->len - b->start);
    b->len -= b->start;
    b->start = 0;
  }
  if (b->len + len > b->cap) {
    if (len > SIZE_MAX / 2 - b->len)
      return NULL;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + len)
      cap *= 2;
    uint8_t *grown = realloc(b->data, cap);
    if (grown == NULL)
      return NULL;
    b->data = grown;
    b->cap = cap;
  }
  return b->data + b->len;
}

void bytes_commit(struct bytes *b, size_t len) { b->len += len; }

sectrans_status bytes_append(struct bytes *b, const void *data, size_t len) {
  if (len == 0)
    return SECTRANS_SUCCESS;
  uint8_t *tail = bytes_reserve(b, len);
  if (tail == NULL)
    return SECTRANS_ERR_ALLOCATE;
  memcpy(tail, data, len);
  bytes_commit(b, len);
  return SECTRANS_SUCCESS;
}

void bytes_consume(struct bytes *b, size_t n) {
  b->start += n;
  if (b->start >= b->len)
    b->start = b->len = 0;
}

void bytes_free(struct bytes *b) {
  free(b->data);
  memset(b, 0, sizeof(*b));
}
