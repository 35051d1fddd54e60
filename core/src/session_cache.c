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

enum { CACHE_TTL = 600, CACHE_MAX_ENTRIES = 1024 };

struct cache_entry {
  uint8_t key[32];
  SSL_SESSION *session;
  time_t expires;
  struct cache_entry *next;
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cache_entry *cache_head; /* newest first */
static size_t cache_count;

int session_cache_key(sectrans_context *ctx, uint8_t key[32]) {
  uint8_t anchors[32] = {0};
  if (ctx->side != SECTRANS_CLIENT || ctx->peer_id_len == 0)
    return 0;
  if (ctx->settings.anchors != NULL &&
      !trust_store_fingerprint(ctx->settings.anchors, anchors))
    return 0;
  /* Which options count: those that change how the peer is verified. */
  uint32_t verification[2] = {
      (uint32_t)ctx->settings.verify_mode,
      ctx->settings.options & (1u << SECTRANS_OPTION_BREAK_ON_SERVER_AUTH |
                               1u << SECTRANS_OPTION_BREAK_ON_CERT_REQUESTED)};
  uint64_t id_len = ctx->peer_id_len;
  SHA256_CTX sha;
  bssl.SHA256_Init(&sha);
  bssl.SHA256_Update(&sha, &id_len, sizeof(id_len));
  bssl.SHA256_Update(&sha, ctx->peer_id, ctx->peer_id_len);
  bssl.SHA256_Update(&sha, ctx->peer_name ? ctx->peer_name : "", ctx->peer_name_len + 1);
  bssl.SHA256_Update(&sha, verification, sizeof(verification));
  bssl.SHA256_Update(&sha, anchors, sizeof(anchors));
  bssl.SHA256_Final(key, &sha);
  return 1;
}

static void entry_free(struct cache_entry *entry) {
  bssl.SSL_SESSION_free(entry->session);
  free(entry);
  cache_count--;
}

/* Drops expired entries, and the oldest ones beyond the limit. */
static void prune(time_t now) {
  size_t kept = 0;
  for (struct cache_entry **link = &cache_head; *link != NULL;) {
    struct cache_entry *entry = *link;
    if (entry->expires <= now || kept >= CACHE_MAX_ENTRIES) {
      *link = entry->next;
      entry_free(entry);
    } else {
      kept++;
      link = &entry->next;
    }
  }
}

SSL_SESSION *session_cache_take(const uint8_t key[32]) {
  SSL_SESSION *found = NULL;
  pthread_mutex_lock(&cache_lock);
  prune(time(NULL));
  for (struct cache_entry **link = &cache_head; *link != NULL; link = &(*link)->next) {
    struct cache_entry *entry = *link;
    if (memcmp(entry->key, key, 32) != 0)
      continue;
    found = entry->session;
    if (bssl.SSL_SESSION_should_be_single_use(found)) {
      *link = entry->next;
      free(entry); /* the reference moves to the caller */
      cache_count--;
    } else {
      bssl.SSL_SESSION_up_ref(found);
    }
    break;
  }
  pthread_mutex_unlock(&cache_lock);
  return found;
}

void session_cache_put(const uint8_t key[32], SSL_SESSION *session) {
  struct cache_entry *entry = calloc(1, sizeof(*entry));
  if (entry == NULL) {
    bssl.SSL_SESSION_free(session);
    return;
  }
  uint32_t timeout = bssl.SSL_SESSION_get_timeout(session);
  memcpy(entry->key, key, 32);
  entry->session = session;
  entry->expires = time(NULL) + (timeout < CACHE_TTL ? timeout : CACHE_TTL);
  pthread_mutex_lock(&cache_lock);
  entry->next = cache_head;
  cache_head = entry;
  cache_count++;
  prune(time(NULL));
  pthread_mutex_unlock(&cache_lock);
}

/* ---- the public side: peer IDs and the resumed flag ---------------------- */
enum { MAX_PEER_ID_LENGTH = 1024 };

sectrans_status sectrans_set_peer_id(sectrans_context *ctx, const void *peer_id,
                                     size_t len) {
  if (bad_handle(ctx, KIND_CONTEXT) || peer_id == NULL || len == 0 || len > MAX_PEER_ID_LENGTH)
    return SECTRANS_ERR_PARAM;
  if (context_is_active(ctx) &&
      ctx->pending_break != SECTRANS_CLIENT_CERT_REQUESTED)
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
  *resumed = ctx->state != SECTRANS_STATE_IDLE && bssl.SSL_session_reused(ctx->ssl);
  return SECTRANS_SUCCESS;
}
