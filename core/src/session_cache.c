/*
 * session_cache.c: the process-wide client session cache.
 *
 * As in Secure Transport, sessions are found by the peer ID the caller set,
 * extended with everything that decides whether a peer is trusted, so a
 * context that verifies differently (other anchors, mode, name or break
 * options) never resumes a session another one verified. Entries live at
 * most ten minutes; TLS 1.3 tickets are used once.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

enum {
  CACHE_TTL = 600,
  CACHE_MAX_ENTRIES = 1024,
  CACHE_MAX_PER_PEER = 4, /* a TLS 1.3 server sends two tickets a connection */
  CACHE_BUCKETS = 256 /* keys are SHA-256 digests: their first byte hashes */
};

/* An entry is in its key's bucket (newest first) and in the age list
 * (oldest first), so lookups touch one short bucket and eviction takes
 * the oldest entry at once. */
struct cache_entry {
  uint8_t key[32];
  SSL_SESSION *session;
  time_t expires;
  struct cache_entry *bucket_next;
  struct cache_entry *older, *newer;
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cache_entry *buckets[CACHE_BUCKETS];
static struct cache_entry *oldest, *newest;
static size_t cache_count;

sectrans_status session_cache_key(sectrans_context *ctx, uint8_t key[32]) {
  uint8_t anchors[32] = {0};
  sectrans_status status;
  if (ctx->side != SECTRANS_CLIENT || ctx->peer_id_len == 0)
    return SECTRANS_ERR_SESSION_NOT_FOUND;
  if (ctx->settings.anchors != NULL &&
      (status = trust_store_fingerprint(ctx->settings.anchors, anchors)) !=
          SECTRANS_SUCCESS)
    return status;
  uint32_t verification[2];
  verify_cache_policy(ctx, verification);
  uint64_t id_len = ctx->peer_id_len;
  SHA256_CTX sha;
  bssl.SHA256_Init(&sha);
  bssl.SHA256_Update(&sha, &id_len, sizeof(id_len));
  bssl.SHA256_Update(&sha, ctx->peer_id, ctx->peer_id_len);
  bssl.SHA256_Update(&sha, ctx->peer_name ? ctx->peer_name : "",
                     ctx->peer_name_len + 1);
  bssl.SHA256_Update(&sha, verification, sizeof(verification));
  bssl.SHA256_Update(&sha, anchors, sizeof(anchors));
  bssl.SHA256_Final(key, &sha);
  return SECTRANS_SUCCESS;
}

static struct cache_entry **bucket_of(const uint8_t key[32]) {
  return &buckets[key[0] % CACHE_BUCKETS];
}

/* Unlinks entry from both lists and chains it on *dead, to be freed once
 * the lock is released. */
static void unlink_entry(struct cache_entry *entry, struct cache_entry **dead) {
  for (struct cache_entry **link = bucket_of(entry->key); *link != NULL;
       link = &(*link)->bucket_next) {
    if (*link == entry) {
      *link = entry->bucket_next;
      break;
    }
  }
  *(entry->older ? &entry->older->newer : &oldest) = entry->newer;
  *(entry->newer ? &entry->newer->older : &newest) = entry->older;
  cache_count--;
  entry->bucket_next = *dead;
  *dead = entry;
}

static void free_entries(struct cache_entry *dead) {
  while (dead != NULL) {
    struct cache_entry *next = dead->bucket_next;
    bssl.SSL_SESSION_free(dead->session);
    free(dead);
    dead = next;
  }
}

/* Drops the expired entries at the old end, and the oldest beyond the limit. */
static void evict(time_t now, struct cache_entry **dead) {
  while (oldest != NULL &&
         (oldest->expires <= now || cache_count > CACHE_MAX_ENTRIES))
    unlink_entry(oldest, dead);
}

SSL_SESSION *session_cache_take(const uint8_t key[32]) {
  SSL_SESSION *found = NULL;
  struct cache_entry *dead = NULL;
  time_t now = time(NULL);
  pthread_mutex_lock(&cache_lock);
  for (struct cache_entry *entry = *bucket_of(key); entry != NULL;) {
    struct cache_entry *next = entry->bucket_next;
    if (entry->expires <= now) {
      unlink_entry(entry, &dead);
    } else if (memcmp(entry->key, key, 32) == 0) {
      found = entry->session;
      bssl.SSL_SESSION_up_ref(found);
      if (bssl.SSL_SESSION_should_be_single_use(found))
        unlink_entry(entry, &dead);
      break;
    }
    entry = next;
  }
  pthread_mutex_unlock(&cache_lock);
  free_entries(dead);
  return found;
}

void session_cache_put(const uint8_t key[32], SSL_SESSION *session) {
  struct cache_entry *entry = calloc(1, sizeof(*entry)), *dead = NULL;
  if (entry == NULL) {
    bssl.SSL_SESSION_free(session);
    return;
  }
  uint32_t timeout = bssl.SSL_SESSION_get_timeout(session);
  time_t now = time(NULL);
  memcpy(entry->key, key, 32);
  entry->session = session;
  entry->expires = now + (timeout < CACHE_TTL ? timeout : CACHE_TTL);
  pthread_mutex_lock(&cache_lock);
  struct cache_entry **bucket = bucket_of(key), *oldest_of_peer = NULL;
  size_t of_peer = 0;
  for (struct cache_entry *e = *bucket; e != NULL; e = e->bucket_next)
    if (memcmp(e->key, key, 32) == 0 && ++of_peer >= CACHE_MAX_PER_PEER)
      oldest_of_peer = e; /* the bucket is newest first */
  if (oldest_of_peer != NULL)
    unlink_entry(oldest_of_peer, &dead);
  entry->bucket_next = *bucket;
  *bucket = entry;
  entry->older = newest;
  *(newest ? &newest->newer : &oldest) = entry;
  newest = entry;
  cache_count++;
  evict(now, &dead);
  pthread_mutex_unlock(&cache_lock);
  free_entries(dead);
}

/* ---- the public side: peer IDs and the resumed flag ---------------------- */
enum {
  MAX_PEER_ID_LENGTH = 1024
};

sectrans_status sectrans_set_peer_id(sectrans_context *ctx, const void *peer_id,
                                     size_t len) {
  if (bad_handle(ctx, KIND_CONTEXT) || peer_id == NULL || len == 0 ||
      len > MAX_PEER_ID_LENGTH)
    return SECTRANS_ERR_PARAM;
  if (context_is_active(ctx) && ctx->phase != PHASE_BREAK_CERT_REQUESTED)
    return SECTRANS_ERR_BAD_REQ;
  return copy_in(&ctx->peer_id, &ctx->peer_id_len, peer_id, len);
}

sectrans_status sectrans_get_peer_id(const sectrans_context *ctx, void *buf,
                                     size_t *len) {
  if (bad_handle(ctx, KIND_CONTEXT))
    return SECTRANS_ERR_PARAM;
  return copy_out(ctx->peer_id, ctx->peer_id_len, buf, len);
}

sectrans_status sectrans_get_session_resumed(const sectrans_context *ctx,
                                             int *resumed) {
  if (bad_handle(ctx, KIND_CONTEXT) || resumed == NULL)
    return SECTRANS_ERR_PARAM;
  *resumed = ctx->phase != PHASE_IDLE && bssl.SSL_session_reused(ctx->ssl);
  return SECTRANS_SUCCESS;
}
