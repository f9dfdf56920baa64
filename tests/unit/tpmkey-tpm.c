/* lib/tpmkey.c with a TPM: keys made, loaded and used through a swtpm this
 * unit starts in its own temporary directory (as tests/lib/tpmkey.sh does;
 * under CI=true a swtpm that does not start fails the unit). Every signature
 * is verified with the key file's public key; every refusal is checked by
 * its exact line; after each connection is closed (or the program exits) the
 * TPM, which has no resource manager here, holds no object or session of
 * igos's. The few failures a working TPM never gives (an answer the TSS
 * cannot use, out of memory) are made by link-time wraps (mk/tpm.mk) that
 * otherwise pass every call through. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_sys.h>
#include <tss2/tss2_tctildr.h>

#include "igos.h"
#include "tpmkey.h"
#include "unit.h"

static char dir[64], conf[96];
static pid_t swtpm_pid;

/* ---- the wraps: each passes through unless told to fail -------------------- */

static int fail_calloc, fail_malloc;
static const char *fail_fn;   /* the Esys call to fail ... */
static int fail_nth;          /* ... on its nth call from now */
static TSS2_RC fail_rc = TSS2_ESYS_RC_MEMORY;
static int long_r;            /* Esys_Sign: an ECDSA r of 33 bytes */
static int no_ecc;            /* Esys_GetCapability: a TPM without ECC */

static int
failing(const char *fn)
{
	return fail_fn != NULL && strcmp(fail_fn, fn) == 0 && --fail_nth == 0;
}

void *__real_calloc(size_t n, size_t m);
void *__real_malloc(size_t n);

void *
__wrap_calloc(size_t n, size_t m)
{
	if (fail_calloc && --fail_calloc == 0) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_calloc(n, m);
}

void *
__wrap_malloc(size_t n)
{
	if (fail_malloc && --fail_malloc == 0) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_malloc(n);
}

TSS2_RC __real_Esys_Initialize(ESYS_CONTEXT **e, TSS2_TCTI_CONTEXT *t, TSS2_ABI_VERSION *v);
TSS2_RC
__wrap_Esys_Initialize(ESYS_CONTEXT **e, TSS2_TCTI_CONTEXT *t, TSS2_ABI_VERSION *v)
{
	return failing("Initialize") ? fail_rc : __real_Esys_Initialize(e, t, v);
}

TSS2_RC __real_Esys_GetCapability(ESYS_CONTEXT *, ESYS_TR, ESYS_TR, ESYS_TR, TPM2_CAP, UINT32,
				  UINT32, TPMI_YES_NO *, TPMS_CAPABILITY_DATA **);
TSS2_RC
__wrap_Esys_GetCapability(ESYS_CONTEXT *e, ESYS_TR a, ESYS_TR b, ESYS_TR c, TPM2_CAP cap,
			  UINT32 prop, UINT32 n, TPMI_YES_NO *more, TPMS_CAPABILITY_DATA **d)
{
	TSS2_RC rc;

	if (failing("GetCapability"))
		return fail_rc;
	rc = __real_Esys_GetCapability(e, a, b, c, cap, prop, n, more, d);
	/* a TPM without ECC answers with the next algorithm it has */
	if (rc == 0 && no_ecc && cap == TPM2_CAP_ALGS && prop == TPM2_ALG_ECC &&
	    (*d)->data.algorithms.count > 0)
		(*d)->data.algorithms.algProperties[0].alg = TPM2_ALG_SYMCIPHER;
	return rc;
}

TSS2_RC __real_Esys_TRSess_SetAttributes(ESYS_CONTEXT *, ESYS_TR, TPMA_SESSION, TPMA_SESSION);
TSS2_RC
__wrap_Esys_TRSess_SetAttributes(ESYS_CONTEXT *e, ESYS_TR s, TPMA_SESSION f, TPMA_SESSION m)
{
	return failing("SetAttributes") ? fail_rc : __real_Esys_TRSess_SetAttributes(e, s, f, m);
}

TSS2_RC __real_Esys_TR_SetAuth(ESYS_CONTEXT *, ESYS_TR, const TPM2B_AUTH *);
TSS2_RC
__wrap_Esys_TR_SetAuth(ESYS_CONTEXT *e, ESYS_TR h, const TPM2B_AUTH *a)
{
	return failing("SetAuth") ? fail_rc : __real_Esys_TR_SetAuth(e, h, a);
}

TSS2_RC __real_Esys_TR_FromTPMPublic(ESYS_CONTEXT *, TPM2_HANDLE, ESYS_TR, ESYS_TR, ESYS_TR, ESYS_TR *);
TSS2_RC
__wrap_Esys_TR_FromTPMPublic(ESYS_CONTEXT *e, TPM2_HANDLE h, ESYS_TR a, ESYS_TR b, ESYS_TR c,
			     ESYS_TR *o)
{
	return failing("FromTPMPublic") ? fail_rc : __real_Esys_TR_FromTPMPublic(e, h, a, b, c, o);
}

TSS2_RC __real_Esys_Load(ESYS_CONTEXT *, ESYS_TR, ESYS_TR, ESYS_TR, ESYS_TR, const TPM2B_PRIVATE *,
			 const TPM2B_PUBLIC *, ESYS_TR *);
TSS2_RC
__wrap_Esys_Load(ESYS_CONTEXT *e, ESYS_TR p, ESYS_TR a, ESYS_TR b, ESYS_TR c,
		 const TPM2B_PRIVATE *priv, const TPM2B_PUBLIC *pub, ESYS_TR *o)
{
	return failing("Load") ? fail_rc : __real_Esys_Load(e, p, a, b, c, priv, pub, o);
}

TSS2_RC __real_Esys_Create(ESYS_CONTEXT *, ESYS_TR, ESYS_TR, ESYS_TR, ESYS_TR,
			   const TPM2B_SENSITIVE_CREATE *, const TPM2B_PUBLIC *, const TPM2B_DATA *,
			   const TPML_PCR_SELECTION *, TPM2B_PRIVATE **, TPM2B_PUBLIC **,
			   TPM2B_CREATION_DATA **, TPM2B_DIGEST **, TPMT_TK_CREATION **);
TSS2_RC
__wrap_Esys_Create(ESYS_CONTEXT *e, ESYS_TR p, ESYS_TR a, ESYS_TR b, ESYS_TR c,
		   const TPM2B_SENSITIVE_CREATE *sens, const TPM2B_PUBLIC *tmpl, const TPM2B_DATA *o,
		   const TPML_PCR_SELECTION *pcrs, TPM2B_PRIVATE **priv, TPM2B_PUBLIC **pub,
		   TPM2B_CREATION_DATA **cd, TPM2B_DIGEST **ch, TPMT_TK_CREATION **ct)
{
	return failing("Create") ? fail_rc :
	       __real_Esys_Create(e, p, a, b, c, sens, tmpl, o, pcrs, priv, pub, cd, ch, ct);
}

TSS2_RC __real_Esys_Sign(ESYS_CONTEXT *, ESYS_TR, ESYS_TR, ESYS_TR, ESYS_TR, const TPM2B_DIGEST *,
			 const TPMT_SIG_SCHEME *, const TPMT_TK_HASHCHECK *, TPMT_SIGNATURE **);
TSS2_RC
__wrap_Esys_Sign(ESYS_CONTEXT *e, ESYS_TR k, ESYS_TR a, ESYS_TR b, ESYS_TR c, const TPM2B_DIGEST *d,
		 const TPMT_SIG_SCHEME *s, const TPMT_TK_HASHCHECK *t, TPMT_SIGNATURE **sig)
{
	TSS2_RC rc;

	if (failing("Sign"))
		return fail_rc;
	rc = __real_Esys_Sign(e, k, a, b, c, d, s, t, sig);

	if (rc == TSS2_RC_SUCCESS && long_r && (*sig)->sigAlg == TPM2_ALG_ECDSA)
		(*sig)->signature.ecdsa.signatureR.size = 33;
	return rc;
}

/* the key file's PEM: a memory BIO that cannot be made, or a write that
 * fails partway (the BEGIN line written, then out of memory) */
static int fail_bio, pem_partial;

BIO *__real_BIO_new(const BIO_METHOD *m);
BIO *
__wrap_BIO_new(const BIO_METHOD *m)
{
	if (fail_bio && --fail_bio == 0)
		return NULL;
	return __real_BIO_new(m);
}

BIO *__real_BIO_new_mem_buf(const void *b, int n);
BIO *
__wrap_BIO_new_mem_buf(const void *b, int n)
{
	if (fail_bio && --fail_bio == 0)
		return NULL;
	return __real_BIO_new_mem_buf(b, n);
}

int __real_PEM_write_bio(BIO *b, const char *name, const char *hdr, const unsigned char *d, long n);
int
__wrap_PEM_write_bio(BIO *b, const char *name, const char *hdr, const unsigned char *d, long n)
{
	if (pem_partial) {
		BIO_printf(b, "-----BEGIN %s-----\n", name);
		return 0;
	}
	return __real_PEM_write_bio(b, name, hdr, d, n);
}

/* ---- the swtpm ------------------------------------------------------------- */

/* The swtpm is this unit's child, killed with it whatever ends the unit (a
 * crash, a time limit): PR_SET_PDEATHSIG. SIGKILL: its state is thrown away
 * (a SIGTERM'd swtpm takes two seconds to save it). */
static void
swtpm_stop(void)
{
	if (swtpm_pid > 0) {
		kill(swtpm_pid, SIGKILL);
		waitpid(swtpm_pid, NULL, 0);
	}
	swtpm_pid = 0;
}

/* whether the swtpm accepts connections on port yet */
static int
listening(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

	ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

/* a fresh TPM */
static int
swtpm_start(void)
{
	char state[96], server[96], ctrl[96], f[96];
	pid_t parent = getpid();

	swtpm_stop();
	snprintf(state, sizeof(state), "dir=%s", dir);
	snprintf(f, sizeof(f), "%s/tpm2-00.permall", dir);
	unlink(f);
	for (int i = 0; i < 30; i++) {
		struct timespec ts;
		int port, st;
		pid_t pid;

		fflush(stdout);
		clock_gettime(CLOCK_MONOTONIC, &ts);
		port = 20000 + (int)(((unsigned)getpid() * 7 + (unsigned)i * 7919 +
				      (unsigned)ts.tv_nsec) % 20000) * 2;
		snprintf(server, sizeof(server), "type=tcp,port=%d,bindaddr=127.0.0.1", port);
		snprintf(ctrl, sizeof(ctrl), "type=tcp,port=%d,bindaddr=127.0.0.1", port + 1);
		if ((pid = fork()) == 0) {
			int null = open("/dev/null", O_WRONLY);

			if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
				_exit(126);
			dup2(null, 1);
			dup2(null, 2);
			execlp("swtpm", "swtpm", "socket", "--tpm2", "--flags",
			       "startup-clear,not-need-init", "--tpmstate", state, "--server", server,
			       "--ctrl", ctrl, (char *)NULL);
			_exit(127);
		}
		if (pid < 0)
			return -1;
		/* up to 10 s for it to listen; if it exits, the port was taken */
		for (int w = 0; w < 1000; w++) {
			if (waitpid(pid, &st, WNOHANG) == pid) {
				if (WIFEXITED(st) && WEXITSTATUS(st) >= 126)
					return -1;
				pid = 0;
				break;
			}
			if (listening(port)) {
				swtpm_pid = pid;
				snprintf(conf, sizeof(conf), "swtpm:host=127.0.0.1,port=%d", port);
				return 0;
			}
			usleep(10000);
		}
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
	}
	return -1;
}

/* ---- the unit's own view of the TPM (its own connection) ------------------- */

static TSS2_TCTI_CONTEXT *htcti;

static ESYS_CONTEXT *
helper(void)
{
	ESYS_CONTEXT *e = NULL;

	if (Tss2_TctiLdr_Initialize(conf, &htcti) != 0)
		return NULL;
	if (Esys_Initialize(&e, htcti, NULL) != 0) {
		Tss2_TctiLdr_Finalize(&htcti);
		return NULL;
	}
	return e;
}

static void
helper_done(ESYS_CONTEXT *e)
{
	Esys_Finalize(&e);
	Tss2_TctiLdr_Finalize(&htcti);
}

/* the first handles of transient objects and loaded sessions (the header's
 * macros shift an int into its sign bit, which UBSan refuses) */
#define TRANSIENT 0x80000000u
#define SESSIONS 0x02000000u

/* how many handles of a kind the TPM holds (transient objects, sessions) */
static int
handles(TPM2_HANDLE first)
{
	ESYS_CONTEXT *e = helper();
	TPMS_CAPABILITY_DATA *cap = NULL;
	TPMI_YES_NO more;
	int n = -1;

	if (e == NULL)
		return -1;
	if (Esys_GetCapability(e, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, TPM2_CAP_HANDLES, first,
			       64, &more, &cap) == 0) {
		n = (int)cap->data.handles.count;
		Esys_Free(cap);
	}
	helper_done(e);
	return n;
}

/* what other programs left is flushed: the TPM as good as fresh, quicker
 * than a new swtpm */
static int
flush_all(void)
{
	ESYS_CONTEXT *e = helper();
	TSS2_SYS_CONTEXT *sys = NULL;
	TPM2_HANDLE kinds[] = { TRANSIENT, SESSIONS };
	int ok = e != NULL && Esys_GetSysContext(e, &sys) == 0;

	for (size_t i = 0; ok && i < 2; i++) {
		TPMS_CAPABILITY_DATA *cap = NULL;
		TPMI_YES_NO more;

		ok = Esys_GetCapability(e, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, TPM2_CAP_HANDLES,
					kinds[i], 64, &more, &cap) == 0;
		for (UINT32 j = 0; ok && j < cap->data.handles.count; j++)
			ok = Tss2_Sys_FlushContext(sys, cap->data.handles.handle[j]) == 0;
		Esys_Free(cap);
	}
	if (e != NULL)
		helper_done(e);
	return ok;
}

static int
clean(void)
{
	return handles(TRANSIENT) == 0 && handles(SESSIONS) == 0;
}

/* the storage primary key as the TCG template makes it, the one igos and
 * every other TSS2 tool uses: ECC P-256 (swtpm has ECC), or for a TPM
 * without ECC RSA-2048 with exponent 65537 */
static TSS2_RC
srk_of(ESYS_CONTEXT *e, ESYS_TR *h, TPM2_ALG_ID type)
{
	TPM2B_SENSITIVE_CREATE sens = { 0 };
	TPM2B_PUBLIC tmpl = { 0 };
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION pcrs = { 0 };
	TPMU_PUBLIC_PARMS *p = &tmpl.publicArea.parameters;
	TPMT_SYM_DEF_OBJECT *sym = type == TPM2_ALG_ECC ? &p->eccDetail.symmetric
							: &p->rsaDetail.symmetric;

	tmpl.publicArea.type = type;
	tmpl.publicArea.nameAlg = TPM2_ALG_SHA256;
	tmpl.publicArea.objectAttributes = TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT |
		TPMA_OBJECT_NODA | TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
		TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH;
	sym->algorithm = TPM2_ALG_AES;
	sym->keyBits.aes = 128;
	sym->mode.aes = TPM2_ALG_CFB;
	if (type == TPM2_ALG_ECC) {
		p->eccDetail.scheme.scheme = TPM2_ALG_NULL;
		p->eccDetail.curveID = TPM2_ECC_NIST_P256;
		p->eccDetail.kdf.scheme = TPM2_ALG_NULL;
	} else {
		p->rsaDetail.scheme.scheme = TPM2_ALG_NULL;
		p->rsaDetail.keyBits = 2048;
		p->rsaDetail.exponent = 0;
	}
	return Esys_CreatePrimary(e, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
				  &sens, &tmpl, &outside, &pcrs, h, NULL, NULL, NULL, NULL);
}

static TSS2_RC
srk(ESYS_CONTEXT *e, ESYS_TR *h)
{
	return srk_of(e, h, TPM2_ALG_ECC);
}

/* the key's blob loads under the RSA storage key of the TCG template */
static int
loads_under_rsa_srk(const struct igos_tpmkey *k)
{
	ESYS_CONTEXT *e = helper();
	ESYS_TR p, h;
	int ok = e != NULL && srk_of(e, &p, TPM2_ALG_RSA) == 0;

	ok = ok && Esys_Load(e, p, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &k->priv, &k->pub,
			     &h) == 0;
	if (ok)
		Esys_FlushContext(e, h);
	if (e != NULL) {
		Esys_FlushContext(e, p);
		helper_done(e);
	}
	return ok;
}

/* a P-256 signing key made under the SRK by the unit (igos makes RSA keys
 * only; ECC ones come from the provider or tpm2-tools) */
static int
ecc_key(struct igos_tpmkey *k, TPMI_ALG_SIG_SCHEME scheme)
{
	ESYS_CONTEXT *e = helper();
	TPM2B_SENSITIVE_CREATE sens = { 0 };
	TPM2B_PUBLIC tmpl = { 0 }, *pub = NULL;
	TPM2B_PRIVATE *priv = NULL;
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION pcrs = { 0 };
	ESYS_TR parent;
	int ok;

	memset(k, 0, sizeof(*k));
	if (e == NULL)
		return 0;
	tmpl.publicArea.type = TPM2_ALG_ECC;
	tmpl.publicArea.nameAlg = TPM2_ALG_SHA256;
	tmpl.publicArea.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
		TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
		TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_NODA;
	tmpl.publicArea.parameters.eccDetail.symmetric.algorithm = TPM2_ALG_NULL;
	tmpl.publicArea.parameters.eccDetail.scheme.scheme = scheme;
	tmpl.publicArea.parameters.eccDetail.scheme.details.ecdsa.hashAlg = TPM2_ALG_SHA256;
	tmpl.publicArea.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
	tmpl.publicArea.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
	ok = srk(e, &parent) == 0;
	ok = ok && Esys_Create(e, parent, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &sens, &tmpl,
			       &outside, &pcrs, &priv, &pub, NULL, NULL, NULL) == 0;
	if (ok) {
		k->empty_auth = 1;
		k->parent = IGOS_TPMKEY_OWNER;
		k->pub = *pub;
		k->priv = *priv;
	}
	Esys_Free(priv);
	Esys_Free(pub);
	Esys_FlushContext(e, parent);
	helper_done(e);
	return ok;
}

/* n transient objects or sessions left loaded by another program */
static int
fill(int objects, int sessions)
{
	ESYS_CONTEXT *e = helper();
	TPMT_SYM_DEF sym = { .algorithm = TPM2_ALG_NULL };
	ESYS_TR h;
	int ok = e != NULL;

	for (int i = 0; ok && i < objects; i++)
		ok = srk(e, &h) == 0;
	for (int i = 0; ok && i < sessions; i++)
		ok = Esys_StartAuthSession(e, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
					   ESYS_TR_NONE, NULL, TPM2_SE_HMAC, &sym, TPM2_ALG_SHA256,
					   &h) == 0;
	if (e != NULL)
		helper_done(e);
	return ok;
}

/* ---- signing and checking -------------------------------------------------- */

static const unsigned char msg[] = "the image igos signs";

/* sign the digest of msg under md with the loaded key, and verify the
 * signature with the key file's public key */
static int
signs(struct igos_tpm *t, const struct igos_tpmkey *k, const EVP_MD *md)
{
	unsigned char dg[EVP_MAX_MD_SIZE], *sig = NULL;
	unsigned dn = 0;
	size_t sl = 0;
	EVP_PKEY *pk = igos_tpmkey_pubkey(k);
	EVP_PKEY_CTX *c = pk ? EVP_PKEY_CTX_new(pk, NULL) : NULL;
	int ok;

	ok = c && EVP_Digest(msg, sizeof(msg), dg, &dn, md, NULL) == 1 &&
	     igos_tpm_sign(t, md, dg, dn, &sig, &sl) == 0 && EVP_PKEY_verify_init(c) == 1 &&
	     EVP_PKEY_CTX_set_signature_md(c, md) == 1 && EVP_PKEY_verify(c, sig, sl, dg, dn) == 1;
	free(sig);
	EVP_PKEY_CTX_free(c);
	EVP_PKEY_free(pk);
	return ok;
}

/* signing fails with exactly this line and gives no signature */
static int
sign_refused(struct igos_tpm *t, const EVP_MD *md, size_t dlen, const char *want)
{
	unsigned char dg[128] = { 1 }, *sig = (unsigned char *)"x";
	size_t sl = 0;
	int r = igos_tpm_sign(t, md, dg, dlen, &sig, &sl);

	if (r == 0)
		free(sig);
	if (r == 0 || sig != NULL || strcmp(igos_errmsg(), want) != 0) {
		printf("# got %d '%s'\n", r, r == 0 ? "" : igos_errmsg());
		return 0;
	}
	return 1;
}

static int
is(const char *want)
{
	if (strcmp(igos_errmsg(), want) == 0)
		return 1;
	printf("# got '%s'\n", igos_errmsg());
	return 0;
}

/* the message is want followed by the TSS's decoding of rc */
static int
is_rc(const char *want, TSS2_RC rc)
{
	char w[512];

	snprintf(w, sizeof(w), "%s%s", want, Tss2_RC_Decode(rc));
	return is(w);
}

/* ---- the cases ------------------------------------------------------------- */

static void
test_open(void)
{
	char want[256], errf[96];
	struct igos_tpm *t;
	int fd, saved;
	struct stat st;

	/* the TSS logs to stderr: igos says one line, and that is the caller's */
	snprintf(errf, sizeof(errf), "%s/stderr", dir);
	fd = open(errf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	saved = dup(2);
	dup2(fd, 2);
	t = igos_tpm_open("swtpm:host=127.0.0.1,port=1");
	dup2(saved, 2);
	close(saved);
	close(fd);
	OK(t == NULL && is("cannot open the TPM 'swtpm:host=127.0.0.1,port=1': tcti:IO failure"),
	   "no TPM at the address: one line");
	OK(stat(errf, &st) == 0 && st.st_size == 0, "and the TSS's own log stays quiet");

	if (access("/dev/tpmrm0", F_OK) != 0) {
		unsetenv("TPM2TOOLS_TCTI");
		t = igos_tpm_open(NULL);
		OK(t == NULL && strncmp(igos_errmsg(), "cannot open the TPM 'device:/dev/tpmrm0' "
				"(the default; --tcti names another): ", 73) == 0,
		   "no conf, no $TPM2TOOLS_TCTI: the kernel's resource manager, said as the default");
		setenv("TPM2TOOLS_TCTI", "", 1);
		t = igos_tpm_open("");
		OK(t == NULL && strncmp(igos_errmsg(), "cannot open the TPM 'device:/dev/tpmrm0' "
				"(the default; --tcti names another): ", 73) == 0,
		   "an empty conf and an empty $TPM2TOOLS_TCTI: the default too");
	} else {
		OK(1, "# SKIP this machine has /dev/tpmrm0");
		OK(1, "# SKIP this machine has /dev/tpmrm0");
	}
	setenv("TPM2TOOLS_TCTI", conf, 1);
	t = igos_tpm_open(NULL);
	OK(t != NULL, "no conf: $TPM2TOOLS_TCTI names the TPM");
	igos_tpm_close(t);
	t = igos_tpm_open("");
	OK(t != NULL, "an empty conf: $TPM2TOOLS_TCTI too");
	igos_tpm_close(t);
	setenv("TPM2TOOLS_TCTI", "swtpm:host=127.0.0.1,port=1", 1);
	t = igos_tpm_open(conf);
	OK(t != NULL, "a conf given wins over $TPM2TOOLS_TCTI");
	igos_tpm_close(t);
	unsetenv("TPM2TOOLS_TCTI");

	fail_calloc = 1;
	t = igos_tpm_open(conf);
	fail_calloc = 0;
	OK(t == NULL && is("out of memory"), "out of memory: said so");
	fail_fn = "Initialize", fail_nth = 1;
	t = igos_tpm_open(conf);
	fail_fn = NULL;
	snprintf(want, sizeof(want), "cannot talk to the TPM '%s': ", conf);
	OK(t == NULL && is_rc(want, fail_rc), "the TSS cannot set up: said with the TPM named");
	/* the failed connection was closed: swtpm serves one at a time */
	t = igos_tpm_open(conf);
	OK(t != NULL && clean(), "the TPM is free for the next connection");
	igos_tpm_close(t);
	igos_tpm_close(NULL);
	OK(1, "closing no connection does nothing");
}

/* a child that exits with its connections open, in any order of closing */
static int
child_exits(int how, const struct igos_tpmkey *k)
{
	int st;
	pid_t pid;

	fflush(stdout);
	pid = fork();

	if (pid == 0) {
		struct igos_tpm *a, *b;

		alarm(30);
		if (how == 0) {         /* a key loaded, a signature, no close */
			a = igos_tpm_open(conf);
			exit(a == NULL || igos_tpm_load(a, k, NULL, "k") < 0 ||
			     !signs(a, k, EVP_sha256()) ? 3 : 0);
		}
		a = igos_tpm_open(conf);
		b = igos_tpm_open(conf);
		if (a == NULL || b == NULL)
			_exit(3);
		if (how == 1)           /* the older closed, the newer left */
			igos_tpm_close(a);
		else if (how == 2)      /* the newer closed, the older left */
			igos_tpm_close(b);
		else {                  /* both closed, then one more left open */
			igos_tpm_close(b);
			igos_tpm_close(a);
			if (igos_tpm_open(conf) == NULL)
				_exit(3);
		}
		exit(0);
	}
	return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void
test_exit(void)
{
	struct igos_tpmkey k;
	struct igos_tpm *t = igos_tpm_open(conf);

	OK(t != NULL && igos_tpm_create_rsa(t, 2048, NULL, &k) == 0, "(an RSA-2048 key)");
	igos_tpm_close(t);
	OK(child_exits(0, &k) && clean(),
	   "a program that exits without closing: its key and session are flushed");
	OK(child_exits(1, &k), "two connections, the first closed: the exit closes the other");
	OK(child_exits(2, &k), "two connections, the second closed: the exit closes the other");
	OK(child_exits(3, &k) && clean(), "both closed, a third left open: closed at exit");
}

static void
test_rsa(void)
{
	struct igos_tpmkey k, k2;
	struct igos_tpm *t = igos_tpm_open(conf);
	unsigned char *der = NULL;
	size_t n = 0;
	int ok;

	OK(t != NULL && igos_tpm_create_rsa(t, 2048, NULL, &k) == 0, "an RSA-2048 key made");
	OK(k.empty_auth == 1 && k.parent == IGOS_TPMKEY_OWNER &&
	   k.pub.publicArea.type == TPM2_ALG_RSA &&
	   k.pub.publicArea.parameters.rsaDetail.keyBits == 2048,
	   "its file: no auth value, under the owner's storage key, RSA-2048");
	OK((k.pub.publicArea.objectAttributes & TPMA_OBJECT_NODA) != 0,
	   "a key without auth value is kept out of the dictionary-attack lockout");
	OK(signs(t, &k, EVP_sha256()), "the new key signs SHA-256 (verified with the file's key)");
	OK(signs(t, &k, EVP_sha1()), "SHA-1");
	OK(signs(t, &k, EVP_sha384()), "SHA-384");
	OK(signs(t, &k, EVP_sha512()), "SHA-512 (a 64-byte digest)");
	OK(sign_refused(t, EVP_md5(), 16, "unsupported hash algorithm for a TPM key"), "MD5 refused");
	OK(sign_refused(t, EVP_sha512(), 65, "unsupported hash algorithm for a TPM key"),
	   "a digest longer than 64 bytes refused");
	igos_tpm_close(t);
	OK(clean(), "closed: nothing left in the TPM");

	/* the file written, read back and loaded in another connection */
	ok = (der = igos_tpmkey_der(&k, &n)) != NULL && igos_tpmkey_parse_der(&k2, der, n) == 0;
	free(der);
	t = igos_tpm_open(conf);
	OK(ok && t != NULL && igos_tpm_load(t, &k2, NULL, "k") == 0 && signs(t, &k2, EVP_sha256()),
	   "the key file written, read back, loaded: it signs");
	igos_tpm_close(t);
	OK(clean(), "closed: nothing left in the TPM");

	t = igos_tpm_open(conf);
	OK(t != NULL && sign_refused(t, EVP_sha256(), 32, "no key loaded in the TPM"),
	   "signing before a key is loaded: refused");
	igos_tpm_close(t);

	t = igos_tpm_open(conf);
	OK(t != NULL && igos_tpm_create_rsa(t, 3072, NULL, &k) == 0 &&
	   k.pub.publicArea.parameters.rsaDetail.keyBits == 3072 && signs(t, &k, EVP_sha256()),
	   "an RSA-3072 key made: it signs");
	igos_tpm_close(t);
	t = igos_tpm_open(conf);
	OK(t != NULL && igos_tpm_create_rsa(t, 4096, NULL, &k) < 0 &&
	   is("this TPM cannot make an RSA-4096 key"), "RSA-4096: this TPM cannot, said so");
	igos_tpm_close(t);
	t = igos_tpm_open(conf);
	OK(t != NULL && igos_tpm_create_rsa(t, 1000, NULL, &k) < 0 &&
	   is("this TPM cannot make an RSA-1000 key"), "RSA-1000: this TPM cannot, said so");
	igos_tpm_close(t);
	OK(clean(), "after the refusals: nothing left in the TPM");
}

static void
test_auth(void)
{
	static const char a32[] = "0123456789abcdef0123456789abcdef", a33[] = "0123456789abcdef0123456789abcdefX";
	struct igos_tpmkey k, k32, nd;
	struct igos_tpm *t = igos_tpm_open(conf);

	OK(t != NULL && igos_tpm_create_rsa(t, 2048, "secret", &k) == 0 && k.empty_auth == 0 &&
	   !(k.pub.publicArea.objectAttributes & TPMA_OBJECT_NODA) && signs(t, &k, EVP_sha256()),
	   "a key with an auth value: its file says so, it is subject to lockout, it signs");
	igos_tpm_close(t);
	t = igos_tpm_open(conf);
	OK(t != NULL && igos_tpm_create_rsa(t, 2048, a33, &k32) < 0 &&
	   is("the key's auth value is longer than 32 bytes"), "making a key: a 33-byte auth value refused");
	igos_tpm_close(t);
	t = igos_tpm_open(conf);
	OK(t != NULL && igos_tpm_create_rsa(t, 2048, a32, &k32) == 0 && signs(t, &k32, EVP_sha256()),
	   "a 32-byte auth value: the key is made and signs");
	igos_tpm_close(t);
	t = igos_tpm_open(conf);
	OK(t != NULL && igos_tpm_load(t, &k32, a32, "k") == 0 && signs(t, &k32, EVP_sha256()),
	   "loaded again with its 32-byte auth value: it signs");
	igos_tpm_close(t);
	t = igos_tpm_open(conf);
	OK(t != NULL && igos_tpm_load(t, &k32, a33, "k") < 0 &&
	   is("the key's auth value is longer than 32 bytes"), "loading: a 33-byte auth value refused");
	igos_tpm_close(t);
	{
		char a100[101];
		struct igos_tpmkey scratch;

		memset(a100, 'p', 100);
		a100[100] = '\0';
		t = igos_tpm_open(conf);
		OK(t != NULL && igos_tpm_create_rsa(t, 2048, a100, &scratch) < 0 &&
		   is("the key's auth value is longer than 32 bytes"),
		   "making a key: a 100-byte auth value refused");
		igos_tpm_close(t);
		t = igos_tpm_open(conf);
		OK(t != NULL && igos_tpm_load(t, &k32, a100, "k") < 0 &&
		   is("the key's auth value is longer than 32 bytes"),
		   "loading: a 100-byte auth value refused");
		igos_tpm_close(t);
	}
	OK(clean(), "nothing left in the TPM");

	t = igos_tpm_open(conf);
	OK(t != NULL && igos_tpm_load(t, &k, "wrong", "k") == 0 &&
	   sign_refused(t, EVP_sha256(), 32, "wrong auth value for the TPM key (not retried: the TPM "
			"counts failures toward its dictionary-attack lockout)"),
	   "a wrong auth value: said so");
	OK(sign_refused(t, EVP_sha256(), 32, "the TPM refused the key's auth value: not tried again"),
	   "and the TPM is not asked again");
	igos_tpm_close(t);

	/* a key without auth value given one: refused without a DA count */
	t = igos_tpm_open(conf);
	OK(t != NULL && igos_tpm_create_rsa(t, 2048, "", &nd) == 0 && nd.empty_auth == 1,
	   "an empty auth value is none");
	igos_tpm_close(t);
	t = igos_tpm_open(conf);
	OK(t != NULL && igos_tpm_load(t, &nd, "x", "k") == 0 &&
	   sign_refused(t, EVP_sha256(), 32, "wrong auth value for the TPM key (not retried: the TPM "
			"counts failures toward its dictionary-attack lockout)"),
	   "a key without auth value given one: wrong auth value");
	igos_tpm_close(t);

	/* a TPM in lockout after one wrong try: keys with an auth value are
	 * refused with the reason, a key without one still signs */
	{
		ESYS_CONTEXT *e = helper();

		OK(e != NULL && Esys_DictionaryAttackLockReset(e, ESYS_TR_RH_LOCKOUT, ESYS_TR_PASSWORD,
			ESYS_TR_NONE, ESYS_TR_NONE) == 0 &&
		   Esys_DictionaryAttackParameters(e, ESYS_TR_RH_LOCKOUT, ESYS_TR_PASSWORD, ESYS_TR_NONE,
			ESYS_TR_NONE, 1, 1000, 1000) == 0, "(the TPM locks out after one failure)");
		if (e != NULL)
			helper_done(e);
	}
	t = igos_tpm_open(conf);
	OK(t != NULL && igos_tpm_load(t, &k, "wrong", "k") == 0 &&
	   sign_refused(t, EVP_sha256(), 32, "wrong auth value for the TPM key (not retried: the TPM "
			"counts failures toward its dictionary-attack lockout)"), "(one wrong auth value)");
	igos_tpm_close(t);
	t = igos_tpm_open(conf);
	OK(t != NULL && igos_tpm_load(t, &k, "secret", "k") == 0 &&
	   sign_refused(t, EVP_sha256(), 32, "the TPM cannot sign: the TPM is in dictionary-attack "
			"lockout (too many wrong auth values): wait, or reset it with the lockout auth"),
	   "in lockout, the right auth value: the lockout is named");
	igos_tpm_close(t);
	t = igos_tpm_open(conf);
	OK(t != NULL && igos_tpm_load(t, &nd, NULL, "k") == 0 && signs(t, &nd, EVP_sha256()),
	   "in lockout, a key without auth value still signs");
	igos_tpm_close(t);
	OK(clean(), "nothing left in the TPM");
	/* the same answer passed on by a user-space resource manager
	 * (tpm2-abrmd), in its own layer of the response code */
	t = igos_tpm_open(conf);
	fail_fn = "Sign", fail_nth = 1, fail_rc = TSS2_RESMGR_TPM_RC_LAYER | TPM2_RC_LOCKOUT;
	OK(t != NULL && igos_tpm_load(t, &k, "secret", "k") == 0 &&
	   sign_refused(t, EVP_sha256(), 32, "the TPM cannot sign: the TPM is in dictionary-attack "
			"lockout (too many wrong auth values): wait, or reset it with the lockout auth"),
	   "the lockout through a resource manager's layer: named too");
	fail_fn = NULL, fail_rc = TSS2_ESYS_RC_MEMORY;
	igos_tpm_close(t);
	{
		ESYS_CONTEXT *e = helper();

		OK(e != NULL && Esys_DictionaryAttackLockReset(e, ESYS_TR_RH_LOCKOUT, ESYS_TR_PASSWORD,
			ESYS_TR_NONE, ESYS_TR_NONE) == 0, "(the lockout reset)");
		if (e != NULL)
			helper_done(e);
	}
}

static void
test_ecc(void)
{
	struct igos_tpmkey k, ks;
	struct igos_tpm *t;

	OK(ecc_key(&k, TPM2_ALG_NULL) && ecc_key(&ks, TPM2_ALG_ECDSA), "(P-256 keys made by another tool)");
	t = igos_tpm_open(conf);
	OK(t != NULL && igos_tpm_load(t, &k, NULL, "ecc") == 0,
	   "a P-256 key made under the standard storage key loads");
	OK(signs(t, &k, EVP_sha256()), "it signs SHA-256 (ECDSA in DER, verified)");
	OK(signs(t, &k, EVP_sha384()), "and SHA-384");
	long_r = 1;
	OK(sign_refused(t, EVP_sha256(), 32, "the TPM returned an unexpected signature"),
	   "an ECDSA r longer than 32 bytes from the TPM: refused");
	long_r = 0;
	fail_malloc = 1;
	OK(sign_refused(t, EVP_sha256(), 32, "cannot encode ECDSA signature"),
	   "no memory for the signature's DER: said so, no signature");
	fail_malloc = 0;
	igos_tpm_close(t);
	t = igos_tpm_open(conf);
	OK(t != NULL && igos_tpm_load(t, &ks, NULL, "ecc") == 0 && signs(t, &ks, EVP_sha256()),
	   "a P-256 key bound to ECDSA-SHA256 signs SHA-256");
	OK(sign_refused(t, EVP_sha384(), 48, "the TPM key does not sign with SHA384"),
	   "and refuses SHA-384, said so");
	igos_tpm_close(t);
	OK(clean(), "nothing left in the TPM");
}

static void
test_parent(void)
{
	struct igos_tpmkey k, kp;
	struct igos_tpm *t = igos_tpm_open(conf);
	ESYS_CONTEXT *e;
	ESYS_TR h, p;
	int ok;

	OK(t != NULL && igos_tpm_create_rsa(t, 2048, NULL, &k) == 0, "(a key under the owner)");
	igos_tpm_close(t);
	kp = k;
	kp.parent = 0x81000001;
	t = igos_tpm_open(conf);
	OK(t != NULL && igos_tpm_load(t, &kp, NULL, "k") < 0 &&
	   is("the key file was made by another TPM, or this TPM was cleared (no parent key at 0x81000001)"),
	   "a persistent parent that is not there: said so");
	igos_tpm_close(t);
	OK(clean(), "nothing left in the TPM");

	e = helper();
	ok = e != NULL && srk(e, &h) == 0 &&
	     Esys_EvictControl(e, ESYS_TR_RH_OWNER, h, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
			       0x81000001, &p) == 0;
	if (ok)
		Esys_FlushContext(e, h);
	if (e != NULL)
		helper_done(e);
	OK(ok, "(the storage key made persistent at 0x81000001)");
	t = igos_tpm_open(conf);
	OK(t != NULL && igos_tpm_load(t, &kp, NULL, "k") == 0 && signs(t, &kp, EVP_sha256()),
	   "the key under the persistent parent loads and signs");
	igos_tpm_close(t);
	OK(clean(), "nothing left in the TPM (the persistent key is not flushed)");
	t = igos_tpm_open(conf);
	OK(t != NULL && igos_tpm_load(t, &kp, NULL, "k") == 0 && signs(t, &kp, EVP_sha256()),
	   "and again");
	igos_tpm_close(t);

	t = igos_tpm_open(conf);
	fail_fn = "FromTPMPublic", fail_nth = 1;
	OK(t != NULL && igos_tpm_load(t, &kp, NULL, "k") < 0 &&
	   is_rc("cannot use the parent key: ", fail_rc), "the TSS cannot use the parent: said so");
	fail_fn = NULL;
	igos_tpm_close(t);
	OK(clean(), "nothing left in the TPM");
}

static void
test_load_refused(void)
{
	struct igos_tpmkey k, bad;
	struct igos_tpm *t = igos_tpm_open(conf);
	const char *cleared = "key 'k.pem': the key file was made by another TPM, or this TPM was cleared";
	char want[512];
	int ok;

	OK(t != NULL && igos_tpm_create_rsa(t, 2048, NULL, &k) == 0, "(a key)");
	igos_tpm_close(t);
	bad = k;
	bad.priv.buffer[bad.priv.size - 1] ^= 1;
	t = igos_tpm_open(conf);
	OK(t != NULL && igos_tpm_load(t, &bad, NULL, "k.pem") < 0 && is(cleared),
	   "a private blob this TPM did not make (its last byte changed): said so");
	igos_tpm_close(t);
	bad = k;
	bad.priv.buffer[20] ^= 1;
	t = igos_tpm_open(conf);
	OK(t != NULL && igos_tpm_load(t, &bad, NULL, "k.pem") < 0 && is(cleared),
	   "a private blob with its integrity digest changed: said so");
	igos_tpm_close(t);
	OK(clean(), "nothing left in the TPM");
	bad = k;
	bad.priv.size = 2;
	t = igos_tpm_open(conf);
	snprintf(want, sizeof(want), "cannot load the key into the TPM: %s", Tss2_RC_Decode(0x1da));
	OK(t != NULL && igos_tpm_load(t, &bad, NULL, "k.pem") < 0 && is(want),
	   "a private blob of two bytes: the TPM's reason");
	igos_tpm_close(t);
	/* the other answers of a TPM whose seed did not make the blob (faked:
	 * this one says "integrity" first) */
	{
		static const TSS2_RC rcs[] = { 0x1e5, 0x1dc, 0x1d5 }; /* BINDING, KEY, SIZE */

		for (size_t i = 0; i < 3; i++) {
			t = igos_tpm_open(conf);
			fail_fn = "Load", fail_nth = 1, fail_rc = rcs[i];
			OK(t != NULL && igos_tpm_load(t, &k, NULL, "k.pem") < 0 && is(cleared),
			   "Load answered '%s': said as another TPM's key", Tss2_RC_Decode(rcs[i]));
			fail_fn = NULL, fail_rc = TSS2_ESYS_RC_MEMORY;
			igos_tpm_close(t);
		}
	}
	OK(clean(), "nothing left in the TPM");

	/* slots taken by another program, on a TPM without resource manager */
	OK(fill(2, 0), "(two objects left in the TPM by another program)");
	t = igos_tpm_open(conf);
	snprintf(want, sizeof(want), "cannot load the key into the TPM: the TPM has no free slot "
		 "(%s); use its resource manager (device:/dev/tpmrm0)", Tss2_RC_Decode(TPM2_RC_OBJECT_MEMORY));
	OK(t != NULL && igos_tpm_load(t, &k, NULL, "k.pem") < 0 && is(want),
	   "no free object slot for the key: said, with the way out");
	igos_tpm_close(t);
	OK(handles(TRANSIENT) == 2 && handles(SESSIONS) == 0,
	   "igos left nothing of its own");
	OK(fill(1, 0), "(a third)");
	t = igos_tpm_open(conf);
	snprintf(want, sizeof(want), "cannot make the storage primary key: the TPM has no free slot "
		 "(%s); use its resource manager (device:/dev/tpmrm0)", Tss2_RC_Decode(TPM2_RC_OBJECT_MEMORY));
	OK(t != NULL && igos_tpm_load(t, &k, NULL, "k.pem") < 0 && is(want),
	   "no slot for the storage key: said so");
	igos_tpm_close(t);
	OK(flush_all() && fill(0, 3), "(the slots freed; three sessions left open)");
	t = igos_tpm_open(conf);
	snprintf(want, sizeof(want), "cannot start a TPM session: the TPM has no free slot "
		 "(%s); use its resource manager (device:/dev/tpmrm0)", Tss2_RC_Decode(TPM2_RC_SESSION_MEMORY));
	OK(t != NULL && igos_tpm_create_rsa(t, 2048, NULL, &k) < 0 && is(want),
	   "no session slot: said so");
	igos_tpm_close(t);
	OK(handles(TRANSIENT) == 0 && handles(SESSIONS) == 3,
	   "igos left nothing of its own");
	ok = flush_all();
	t = igos_tpm_open(conf);
	OK(ok && t != NULL && igos_tpm_create_rsa(t, 2048, NULL, &k) == 0, "(a key)");
	igos_tpm_close(t);
	OK(fill(0, 3), "(three sessions left open)");
	t = igos_tpm_open(conf);
	OK(t != NULL && igos_tpm_load(t, &k, NULL, "k.pem") < 0 && is(want),
	   "loading a key with no session slot: said so");
	igos_tpm_close(t);
	OK(handles(TRANSIENT) == 0 && handles(SESSIONS) == 3, "igos left nothing of its own");
	OK(flush_all() && clean(), "(the slots freed)");
}

/* failures a working TPM does not give: the calls that fail in the TSS */
static void
test_tss_fails(void)
{
	static const char *what[] = { "GetCapability", "SetAttributes", "Create", "SetAuth", "Load" };
	static const char *said[] = { "cannot ask the TPM its algorithms: ",
				      "cannot set up the TPM session: ", "cannot make a key in the TPM: ",
				      "cannot set the key's auth value: ", "cannot load the new key: " };
	struct igos_tpmkey k;
	struct igos_tpm *t;

	for (size_t i = 0; i < 5; i++) {
		t = igos_tpm_open(conf);
		fail_fn = what[i], fail_nth = 1;
		OK(t != NULL && igos_tpm_create_rsa(t, 2048, "pw", &k) < 0 && is_rc(said[i], fail_rc),
		   "making a key, %s fails: said so", what[i]);
		fail_fn = NULL;
		igos_tpm_close(t);
		OK(clean(), "nothing left in the TPM");
	}
	t = igos_tpm_open(conf);
	OK(t != NULL && igos_tpm_create_rsa(t, 2048, NULL, &k) == 0, "(a key)");
	fail_malloc = 1;
	OK(sign_refused(t, EVP_sha256(), 32, "out of memory"), "out of memory for the signature: said so");
	fail_malloc = 0;
	OK(signs(t, &k, EVP_sha256()), "the next signature is made");
	igos_tpm_close(t);
	OK(clean(), "nothing left in the TPM");
}

/* the key file written or read without the memory it needs: nothing
 * written, nothing read, one line */
static void
test_file_oom(void)
{
	struct igos_tpmkey k, back;
	struct igos_tpm *t = igos_tpm_open(conf);
	size_t n = 7;
	char *pem = NULL;
	int ok;

	OK(t != NULL && igos_tpm_create_rsa(t, 2048, NULL, &k) == 0, "(a key)");
	igos_tpm_close(t);
	ok = (pem = igos_tpmkey_pem(&k, &n)) != NULL && strlen(pem) == n &&
	     igos_tpmkey_parse_pem(&back, pem, n) == 0 && memcmp(&back, &k, sizeof(k)) == 0;
	OK(ok, "its PEM file reads back as the same key");
	fail_bio = 1;
	OK(igos_tpmkey_parse_pem(&back, pem, n) < 0 && is("out of memory"),
	   "reading it with no memory for a BIO: out of memory");
	fail_bio = 0;
	free(pem);
	n = 7;
	fail_bio = 1;
	OK(igos_tpmkey_pem(&k, &n) == NULL && n == 7 && is("cannot encode the TPM key"),
	   "writing it with no memory for a BIO: nothing written");
	fail_bio = 0;
	pem_partial = 1;
	OK(igos_tpmkey_pem(&k, &n) == NULL && n == 7 && is("cannot encode the TPM key"),
	   "a PEM write failing after its BEGIN line: nothing written");
	pem_partial = 0;
	fail_malloc = 1;
	OK(igos_tpmkey_pem(&k, &n) == NULL && n == 7 && is("out of memory"),
	   "no memory for the DER: nothing written");
	fail_malloc = 2;
	OK(igos_tpmkey_pem(&k, &n) == NULL && n == 7 && is("cannot encode the TPM key"),
	   "no memory for the PEM text: nothing written");
	fail_malloc = 0;
}

/* a TPM without ECC (faked: swtpm has it): the storage key is the TCG
 * template's RSA one, as tpm2-tools makes it there */
static void
test_no_ecc(void)
{
	struct igos_tpmkey k;
	struct igos_tpm *t = igos_tpm_open(conf);

	no_ecc = 1;
	OK(t != NULL && igos_tpm_create_rsa(t, 2048, NULL, &k) == 0 && signs(t, &k, EVP_sha256()),
	   "a TPM without ECC: a key is made and signs");
	igos_tpm_close(t);
	no_ecc = 0;
	OK(loads_under_rsa_srk(&k), "under the RSA storage key of the TCG template");
	t = igos_tpm_open(conf);
	OK(t != NULL && igos_tpm_load(t, &k, NULL, "k.pem") < 0 &&
	   is("key 'k.pem': the key file was made by another TPM, or this TPM was cleared"),
	   "the same TPM saying it has ECC: the key is not its storage key's");
	igos_tpm_close(t);
	OK(clean(), "nothing left in the TPM");
}

static void
test_owner_password(void)
{
	ESYS_CONTEXT *e = helper();
	TPM2B_AUTH pw = { .size = 2, .buffer = "pw" };
	struct igos_tpmkey k;
	struct igos_tpm *t;

	OK(e != NULL && Esys_HierarchyChangeAuth(e, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE,
						 ESYS_TR_NONE, &pw) == 0, "(the owner hierarchy gets a password)");
	if (e != NULL)
		helper_done(e);
	t = igos_tpm_open(conf);
	OK(t != NULL && igos_tpm_create_rsa(t, 2048, NULL, &k) < 0 &&
	   is("cannot make the storage primary key: the owner hierarchy has a password (use a "
	      "persistent parent key)"), "an owner password: said so, with the way out");
	igos_tpm_close(t);
	OK(clean(), "nothing left in the TPM");
}

static void
cleanup(void)
{
	char f[128];

	swtpm_stop();
	for (const char *n = "tpm2-00.permall\0pid\0stderr\0.lock\0"; *n; n += strlen(n) + 1) {
		snprintf(f, sizeof(f), "%s/%s", dir, n);
		unlink(f);
	}
	rmdir(dir);
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");
	const char *ci = getenv("CI");

	unsetenv("TSS2_LOG");
	unsetenv("TPM2TOOLS_TCTI");
	snprintf(dir, sizeof(dir), "%s/tpmkey-tpm.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		printf("1..0 # SKIP cannot make a temporary directory\n");
		return 0;
	}
	if (swtpm_start() < 0) {
		rmdir(dir);
		if (ci != NULL && strcmp(ci, "true") == 0) {
			OK(0, "swtpm starts (CI runs this unit)");
			return DONE();
		}
		printf("1..0 # SKIP swtpm does not start\n");
		return 0;
	}
	test_open();
	test_exit();
	test_rsa();
	test_auth();
	test_ecc();
	test_parent();
	test_load_refused();
	test_tss_fails();
	test_file_oom();
	test_no_ecc();
	test_owner_password();
	cleanup();
	return DONE();
}
