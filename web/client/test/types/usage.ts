// Compiled by types.test.js with tsc --noEmit --strict: the README's uses
// of the client must type-check against idagent.d.ts.
import {
  IdAgent, IdAgentError, ErrorCode, accessKeyFromInput, parseQR, formatDG13Date, formatMRZDate,
  photoDataURL, localNetworkPermission, isValidID12, type ReadResult, type AccessKey, type Hello,
} from '../../idagent.js';
import { describeCheck, describeError, describeVerdict } from '../../messages.js';

async function desk(input: HTMLInputElement, img: HTMLImageElement): Promise<void> {
  const agent = new IdAgent({ client: 'types/1.0', reconnect: true, maxDelayMs: 10000 });
  const off = agent.on('card.removed', ({ reader }) => { input.value = reader.length > 0 ? '' : input.value; });
  agent.on('state', ({ state, error, retryInMs }) => {
    if (state === 'reconnecting' && error) console.log(describeError(error, 'vi'), retryInMs);
  });
  if ((await localNetworkPermission()) !== 'denied') {
    const hello: Hello = await agent.connect();
    console.log(hello.protocol, hello.policy.fields.includes('fullName'));
  }
  const access: AccessKey = isValidID12(input.value) ? { id12: input.value } : accessKeyFromInput(input.value);
  const op = agent.read({
    access,
    photo: true,
    fields: ['idNumber', 'fullName', 'dateOfBirth'],
    onProgress: ({ phase, percent }) => console.log(phase, percent),
    onIdentity: ({ fields, checks }) => {
      const expiry: string = fields.dateOfExpiry === null ? 'Không thời hạn' : formatDG13Date(fields.dateOfExpiry);
      const sex: 'M' | 'F' | 'X' | undefined = fields.sex;
      console.log(formatDG13Date(fields.dateOfBirth), expiry, sex, checks.length);
    },
    onPhoto: (p) => { img.src = photoDataURL(p); },
  });
  try {
    const result: ReadResult = await op;
    const verdict = describeVerdict(result.verification.overall, 'en');
    for (const c of result.verification.checks) console.log(describeCheck(c, 'vi').text, verdict.tone);
    if (result.photo) img.src = photoDataURL(result.photo);
    const expiry: string | null = formatMRZDate('991231', { kind: 'expiry' });
    console.log(expiry, parseQR('x').access.qr);
  } catch (err) {
    if (err instanceof IdAgentError && err.code === ErrorCode.ACCESS_DENIED && !err.retryable) input.select();
  }
  for await (const ev of agent.read({ access: { can: '123456' } })) {
    if (ev.type === 'result') console.log(ev.data.verification.testAnchor);
    else if (ev.type === 'progress') console.log(ev.data.percent);
  }
  await op.cancel();
  const forBackend = await agent.readForBackend('q83vEjRWeJA=', { access, photo: false });
  const desk: string | undefined = forBackend.evidence.desk?.chipAuthentication?.status;
  console.log(forBackend.challenge, forBackend.evidence.sod, forBackend.local.verification.overall, desk);
  const readers = await agent.readers();
  console.log(readers[0]?.cardPresent, agent.readerState.length);
  const card = await agent.simInsert({ profile: 'cccd', tamper: 'dg13-edited' });
  await agent.simRemove(card.reader);
  off();
  agent.close();
}

void desk;
