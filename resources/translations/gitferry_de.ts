<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
    <context>
        <name>AboutDialog</name>
        <message>
            <source>About Gitferry</source>
            <translation>Über Gitferry</translation>
        </message>
        <message>
            <source>Data folder:</source>
            <translation>Datenordner:</translation>
        </message>
        <message>
            <source>Free software under the MIT License.</source>
            <translation>Freie Software unter der MIT-Lizenz.</translation>
        </message>
        <message>
            <source>Gitferry %1</source>
            <translation>Gitferry %1</translation>
        </message>
        <message>
            <source>Keeps your git repositories in sync with their remotes.</source>
            <translation>Hält deine git-Repositories mit ihren Remotes synchron.</translation>
        </message>
        <message>
            <source>Log file:</source>
            <translation>Protokolldatei:</translation>
        </message>
        <message>
            <source>Status store:</source>
            <translation>Statusspeicher:</translation>
        </message>
    </context>
    <context>
        <name>AddFolderDialog</name>
        <message>
            <source>/home/me/notes</source>
            <translation>/home/ich/notizen</translation>
        </message>
        <message>
            <source>A folder that holds a git working tree (it has a .git inside)</source>
            <translation>Ein Ordner mit einem git-Arbeitsverzeichnis (er enthält ein .git)</translation>
        </message>
        <message>
            <source>Add</source>
            <translation>Hinzufügen</translation>
        </message>
        <message>
            <source>Add a repository</source>
            <translation>Repository hinzufügen</translation>
        </message>
        <message>
            <source>Browse for the repository folder</source>
            <translation>Den Ordner des Repositorys suchen</translation>
        </message>
        <message>
            <source>Browse…</source>
            <translation>Durchsuchen…</translation>
        </message>
        <message>
            <source>Folder:</source>
            <translation>Ordner:</translation>
        </message>
        <message>
            <source>How Gitferry lists it; no spaces or slashes</source>
            <translation>Unter diesem Namen führt Gitferry es; ohne Leerzeichen und Schrägstriche</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>Name</translation>
        </message>
        <message>
            <source>Name:</source>
            <translation>Name:</translation>
        </message>
        <message>
            <source>Repository folder</source>
            <translation>Ordner des Repositorys</translation>
        </message>
        <message>
            <source>the folder's name</source>
            <translation>der Name des Ordners</translation>
        </message>
    </context>
    <context>
        <name>App</name>
        <message>
            <source>%1. Details are in the log.</source>
            <translation>%1. Einzelheiten stehen im Log.</translation>
        </message>
        <message>
            <source>Gitferry cannot start</source>
            <translation>Gitferry kann nicht starten</translation>
        </message>
        <message>
            <source>Gitferry hit an unexpected error</source>
            <translation>Gitferry ist auf einen unerwarteten Fehler gestoßen</translation>
        </message>
        <message>
            <source>Gitferry rebuilt its status store</source>
            <translation>Gitferry hat seinen Statusspeicher neu aufgebaut</translation>
        </message>
    </context>
    <context>
        <name>AttentionNotices</name>
        <message numerus="yes">
            <source>%n repositories need you</source>
            <translation>
                <numerusform>%n Repository braucht dich</numerusform>
                <numerusform>%n Repositories brauchen dich</numerusform>
            </translation>
        </message>
        <message>
            <source>Conflict: %1</source>
            <translation>Konflikt: %1</translation>
        </message>
        <message>
            <source>Sign-in needed: %1</source>
            <translation>Anmeldung nötig: %1</translation>
        </message>
    </context>
    <context>
        <name>AutoSyncFields</name>
        <message>
            <source>Automatic sync waits until files have not changed for this many seconds</source>
            <translation>Automatisches Synchronisieren wartet, bis sich Dateien so viele Sekunden nicht geändert haben</translation>
        </message>
        <message>
            <source>Files that keep changing are synced at the latest this many seconds after the first change</source>
            <translation>Dateien, die sich weiter ändern, werden spätestens so viele Sekunden nach der ersten Änderung synchronisiert</translation>
        </message>
        <message>
            <source>Lon&amp;gest wait (s):</source>
            <translation>&amp;Längste Wartezeit (s):</translation>
        </message>
        <message>
            <source>Longest wait in seconds</source>
            <translation>Längste Wartezeit in Sekunden</translation>
        </message>
        <message>
            <source>Pause on a m&amp;etered network</source>
            <translation>In getakteten N&amp;etzen pausieren</translation>
        </message>
        <message>
            <source>Settle t&amp;ime (s):</source>
            <translation>&amp;Ruhezeit (s):</translation>
        </message>
        <message>
            <source>Settle time in seconds</source>
            <translation>Ruhezeit in Sekunden</translation>
        </message>
        <message>
            <source>Syncing waits while the desktop says the network is metered (a phone's hotspot)</source>
            <translation>Das Synchronisieren wartet, solange der Desktop das Netz als getaktet meldet (der Hotspot eines Telefons)</translation>
        </message>
    </context>
    <context>
        <name>BranchTable</name>
        <message>
            <source>%1 was deleted on the remote (or renamed): nothing of %2 is pushed until its upstream is changed</source>
            <translation>%1 wurde auf dem Remote gelöscht (oder umbenannt): von %2 wird nichts gepusht, bis sein Upstream geändert ist</translation>
        </message>
        <message numerus="yes">
            <source>%n commit(s) of {branch} on no remote: Publish branch pushes it and sets its upstream</source>
            <translation>
                <numerusform>%n Commit von {branch} ist auf keinem Remote: „Branch veröffentlichen“ pusht ihn und setzt seinen Upstream</numerusform>
                <numerusform>%n Commits von {branch} sind auf keinem Remote: „Branch veröffentlichen“ pusht ihn und setzt seinen Upstream</numerusform>
            </translation>
        </message>
        <message>
            <source>Checked out in %1: git moves it only there, a sync here leaves it as it is</source>
            <translation>In %1 ausgecheckt: git bewegt ihn nur dort, eine Synchronisierung hier lässt ihn, wie er ist</translation>
        </message>
        <message>
            <source>Diverged from %1 and not checked out: a sync integrates only the checked-out branch; check %2 out (git switch %2), then sync</source>
            <translation>Von %1 abgewichen und nicht ausgecheckt: eine Synchronisierung integriert nur den ausgecheckten Branch; checke %2 aus (git switch %2) und synchronisiere dann</translation>
        </message>
        <message>
            <source>Held by a rebase or bisect in %1: a sync here leaves it as it is until that ends</source>
            <translation>Von einem Rebase oder Bisect in %1 gehalten: eine Synchronisierung hier lässt ihn, wie er ist, bis das endet</translation>
        </message>
        <message>
            <source>Level with %1 as this computer has it, but %1 has not been fetched yet: the next fetch or sync checks the remote</source>
            <translation>Gleichauf mit %1, wie dieser Computer ihn kennt, aber %1 wurde noch nicht abgerufen: der nächste Abruf oder die nächste Synchronisierung prüft das Remote</translation>
        </message>
        <message>
            <source>Not checked out: a sync moves it to its upstream only when “Fast-forward those that are only behind” is on in the repository's settings</source>
            <translation>Nicht ausgecheckt: eine Synchronisierung zieht ihn nur auf seinen Upstream nach, wenn „Die nur zurückliegenden per Fast-Forward nachziehen“ in den Einstellungen des Repositorys an ist</translation>
        </message>
        <message>
            <source>Not checked out: a sync pushes it only when “Every branch that is ahead” is on in the repository's settings</source>
            <translation>Nicht ausgecheckt: eine Synchronisierung pusht ihn nur, wenn „Jeden Branch, der voraus ist“ in den Einstellungen des Repositorys an ist</translation>
        </message>
        <message>
            <source>ahead</source>
            <translation>voraus</translation>
        </message>
        <message>
            <source>behind</source>
            <translation>zurück</translation>
        </message>
        <message>
            <source>diverged</source>
            <translation>abgewichen</translation>
        </message>
        <message>
            <source>never</source>
            <translation>nie</translation>
        </message>
        <message>
            <source>no upstream</source>
            <translation>kein Upstream</translation>
        </message>
        <message>
            <source>not fetched yet</source>
            <translation>noch nicht abgerufen</translation>
        </message>
        <message>
            <source>not measured</source>
            <translation>nicht gemessen</translation>
        </message>
        <message>
            <source>not published</source>
            <translation>unveröffentlicht</translation>
        </message>
        <message>
            <source>up to date</source>
            <translation>aktuell</translation>
        </message>
        <message>
            <source>upstream gone</source>
            <translation>Upstream gelöscht</translation>
        </message>
    </context>
    <context>
        <name>CloneDialog</name>
        <message>
            <source>A new or empty folder</source>
            <translation>Ein neuer oder leerer Ordner</translation>
        </message>
        <message>
            <source>Browse…</source>
            <translation>Durchsuchen…</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>Abbrechen</translation>
        </message>
        <message>
            <source>Cancelling… (removing what the clone made)</source>
            <translation>Breche ab… (entferne, was der Klon angelegt hat)</translation>
        </message>
        <message>
            <source>Choose the folder to clone into</source>
            <translation>Ordner für den Klon wählen</translation>
        </message>
        <message>
            <source>Clone</source>
            <translation>Klonen</translation>
        </message>
        <message>
            <source>Clone a repository</source>
            <translation>Repository klonen</translation>
        </message>
        <message>
            <source>Clone into</source>
            <translation>Klonen nach</translation>
        </message>
        <message>
            <source>Clone progress</source>
            <translation>Fortschritt des Klonens</translation>
        </message>
        <message>
            <source>Connecting…</source>
            <translation>Verbinde…</translation>
        </message>
        <message>
            <source>Could not clone %1: %2</source>
            <translation>%1 konnte nicht geklont werden: %2</translation>
        </message>
        <message>
            <source>Folder to clone into</source>
            <translation>Zielordner des Klons</translation>
        </message>
        <message>
            <source>Into folder:</source>
            <translation>In Ordner:</translation>
        </message>
        <message>
            <source>Problem with the URL</source>
            <translation>Problem mit der URL</translation>
        </message>
        <message>
            <source>Problem with the folder</source>
            <translation>Problem mit dem Ordner</translation>
        </message>
        <message>
            <source>Repository URL</source>
            <translation>Repository-URL</translation>
        </message>
        <message>
            <source>URL:</source>
            <translation>URL:</translation>
        </message>
        <message>
            <source>Why the clone failed</source>
            <translation>Warum das Klonen fehlschlug</translation>
        </message>
        <message>
            <source>https://, ssh://, user@host:path, git:// or a local path</source>
            <translation>https://, ssh://, benutzer@host:pfad, git:// oder ein lokaler Pfad</translation>
        </message>
    </context>
    <context>
        <name>Columns</name>
        <message>
            <source>Activity</source>
            <translation>Aktivität</translation>
        </message>
        <message>
            <source>Ahead</source>
            <translation>Voraus</translation>
        </message>
        <message>
            <source>Behind</source>
            <translation>Zurück</translation>
        </message>
        <message>
            <source>Branch</source>
            <translation>Branch</translation>
        </message>
        <message>
            <source>Last fetched</source>
            <translation>Abgerufen</translation>
        </message>
        <message>
            <source>Last sync</source>
            <translation>Synchronisiert</translation>
        </message>
        <message>
            <source>Path</source>
            <translation>Pfad</translation>
        </message>
        <message>
            <source>Reason</source>
            <translation>Grund</translation>
        </message>
        <message>
            <source>Repository</source>
            <translation>Repository</translation>
        </message>
        <message>
            <source>Result</source>
            <translation>Ergebnis</translation>
        </message>
        <message>
            <source>Since</source>
            <translation>Seit</translation>
        </message>
        <message>
            <source>Size</source>
            <translation>Größe</translation>
        </message>
        <message>
            <source>State</source>
            <translation>Stand</translation>
        </message>
        <message>
            <source>Upstream</source>
            <translation>Upstream</translation>
        </message>
        <message>
            <source>When</source>
            <translation>Wann</translation>
        </message>
    </context>
    <context>
        <name>ConflictFlow</name>
        <message>
            <source>%1 is back at %2; the undone head is kept as a backup ref.</source>
            <translation>%1 steht wieder auf %2; der rückgängig gemachte Stand bleibt als Sicherungs-Ref erhalten.</translation>
        </message>
        <message>
            <source>%1 merged as %2; the sync said: %3</source>
            <translation>%1 zusammengeführt als %2; die Synchronisierung meldet: %3</translation>
        </message>
        <message>
            <source>%1 rebased as %2; the sync said: %3</source>
            <translation>%1 per Rebase neu aufgesetzt als %2; die Synchronisierung meldet: %3</translation>
        </message>
        <message>
            <source>Aborted: nothing in the repository was changed.</source>
            <translation>Abgebrochen: im Repository wurde nichts verändert.</translation>
        </message>
        <message>
            <source>Commit %1 of %2 stops on conflicts of its own: resolve them, then Finish again.</source>
            <translation>Commit %1 von %2 stößt auf eigene Konflikte: löse sie, dann erneut Abschließen.</translation>
        </message>
        <message>
            <source>No merge tool is configured (git's merge.tool), and %1 is not text: no editor can merge it. Choose Use mine, Use theirs or Keep both.</source>
            <translation>Kein Merge-Werkzeug eingerichtet (gits merge.tool), und %1 ist kein Text: kein Editor kann es zusammenführen. Wähle Meine verwenden, Ihre verwenden oder Beide behalten.</translation>
        </message>
        <message>
            <source>No merge tool is configured (git's merge.tool): %1 is open in your editor. Remove the conflict markers, save it, then Finish.</source>
            <translation>Kein Merge-Werkzeug eingerichtet (gits merge.tool): %1 ist in deinem Editor geöffnet. Entferne die Konfliktmarkierungen, speichere und klicke dann auf Abschließen.</translation>
        </message>
    </context>
    <context>
        <name>ConflictsPanel</name>
        <message>
            <source>%1 onto %2: replaying commit %5 of %6, “%7”: %3 of %4 resolved. Choose a version for each path (mine: this commit's), then Finish: it replays this commit and the next ones, stopping again where one conflicts, then syncs.</source>
            <translation>%1 auf %2: Commit %5 von %6 wird neu angewendet, „%7“: %3 von %4 gelöst. Wähle für jeden Pfad eine Fassung (meine: die dieses Commits), dann Abschließen: es wendet diesen Commit und die folgenden neu an, hält beim nächsten Konflikt wieder an und synchronisiert dann.</translation>
        </message>
        <message>
            <source>%1 onto %2: replaying commit %5 of %6, “%7”: %3 of %4 resolved. Choose a version for each path (mine: this commit's), then Finish: it replays this last commit, then syncs.</source>
            <translation>%1 auf %2: Commit %5 von %6 wird neu angewendet, „%7“: %3 von %4 gelöst. Wähle für jeden Pfad eine Fassung (meine: die dieses Commits), dann Abschließen: es wendet diesen letzten Commit neu an und synchronisiert dann.</translation>
        </message>
        <message>
            <source>%1 with %2: %3 of %4 resolved. Choose a version for each path, then Finish: it commits a merge of the two, then syncs.</source>
            <translation>%1 mit %2: %3 von %4 gelöst. Wähle für jeden Pfad eine Fassung, dann Abschließen: es committet einen Merge der beiden und synchronisiert dann.</translation>
        </message>
        <message>
            <source>%1, left by a git command here, not by a sync: nothing for Gitferry to resolve. Finish or abort it with git (git status says how); the next sync goes on.</source>
            <translation>%1, von einem git-Befehl hier hinterlassen, nicht von einer Synchronisierung: Gitferry hat nichts zu lösen. Schließe es mit git ab oder brich es ab (git status sagt, wie); die nächste Synchronisierung macht dann weiter.</translation>
        </message>
        <message numerus="yes">
            <source>%n conflicted path(s). Select one to see both versions.</source>
            <translation>
                <numerusform>%n Pfad im Konflikt. Wähle ihn aus, um beide Fassungen zu sehen.</numerusform>
                <numerusform>%n Pfade im Konflikt. Wähle einen aus, um beide Fassungen zu sehen.</numerusform>
            </translation>
        </message>
        <message>
            <source>(deleted on the remote)</source>
            <translation>(auf dem Remote gelöscht)</translation>
        </message>
        <message>
            <source>(deleted on this computer)</source>
            <translation>(auf diesem Computer gelöscht)</translation>
        </message>
        <message>
            <source>(not on the remote)</source>
            <translation>(nicht auf dem Remote)</translation>
        </message>
        <message>
            <source>(not on this computer)</source>
            <translation>(nicht auf diesem Computer)</translation>
        </message>
        <message>
            <source>(same as the base)</source>
            <translation>(wie die Basis)</translation>
        </message>
        <message>
            <source>Abort</source>
            <translation>Auflösung abbrechen</translation>
        </message>
        <message>
            <source>Abort the resolution</source>
            <translation>Die Konfliktlösung abbrechen</translation>
        </message>
        <message>
            <source>Base</source>
            <translation>Basis</translation>
        </message>
        <message>
            <source>Being merged: remove the conflict markers, save, then Finish</source>
            <translation>Wird zusammengeführt: Konfliktmarkierungen entfernen, speichern, dann Abschließen</translation>
        </message>
        <message>
            <source>Both sides were kept: each copy holds this computer's version. Compare it with its file, then delete the copy.</source>
            <translation>Beide Seiten wurden behalten: jede Kopie enthält die Fassung dieses Computers. Vergleiche sie mit ihrer Datei und lösche dann die Kopie.</translation>
        </message>
        <message>
            <source>Choice for the selected path</source>
            <translation>Wahl für den ausgewählten Pfad</translation>
        </message>
        <message>
            <source>Commit the merge as resolved (the old head is kept as a backup), then sync</source>
            <translation>Den Merge als gelöst committen (der alte Stand bleibt als Sicherung erhalten), dann synchronisieren</translation>
        </message>
        <message>
            <source>Committing the merge and syncing…</source>
            <translation>Merge wird committet und synchronisiert…</translation>
        </message>
        <message>
            <source>Conflicted paths</source>
            <translation>Pfade im Konflikt</translation>
        </message>
        <message>
            <source>Conflicts summary</source>
            <translation>Übersicht der Konflikte</translation>
        </message>
        <message>
            <source>Delete the file, as the remote did</source>
            <translation>Die Datei löschen, wie das Remote es tat</translation>
        </message>
        <message>
            <source>Finish</source>
            <translation>Abschließen</translation>
        </message>
        <message>
            <source>Finish: commit the merge and sync</source>
            <translation>Abschließen: den Merge committen und synchronisieren</translation>
        </message>
        <message>
            <source>Forget these choices; nothing in the repository changes</source>
            <translation>Diese Wahl verwerfen; im Repository ändert sich nichts</translation>
        </message>
        <message>
            <source>Keep both</source>
            <translation>Beide behalten</translation>
        </message>
        <message>
            <source>Keep this computer's version</source>
            <translation>Die Fassung dieses Computers behalten</translation>
        </message>
        <message>
            <source>Last changed</source>
            <translation>Zuletzt geändert</translation>
        </message>
        <message>
            <source>Leave the file deleted, as this computer did</source>
            <translation>Die Datei gelöscht lassen, wie dieser Computer es tat</translation>
        </message>
        <message>
            <source>Leave the file out: the remote has no file at this path</source>
            <translation>Die Datei weglassen: das Remote hat keine Datei unter diesem Pfad</translation>
        </message>
        <message>
            <source>Leave the file out: this computer has no file at this path</source>
            <translation>Die Datei weglassen: dieser Computer hat keine Datei unter diesem Pfad</translation>
        </message>
        <message>
            <source>Mine</source>
            <translation>Meine</translation>
        </message>
        <message>
            <source>Mine (this computer) against the base</source>
            <translation>Meine (dieser Computer) gegenüber der Basis</translation>
        </message>
        <message>
            <source>No conflicts. A sync that stops on one lists its files here.</source>
            <translation>Keine Konflikte. Hält eine Synchronisierung bei einem an, stehen seine Dateien hier.</translation>
        </message>
        <message>
            <source>No conflicts: the last sync stopped on local changes in the way and integrated nothing.</source>
            <translation>Keine Konflikte: die letzte Synchronisierung hielt bei lokalen Änderungen im Weg an und hat nichts integriert.</translation>
        </message>
        <message>
            <source>Not resolved yet</source>
            <translation>Noch nicht gelöst</translation>
        </message>
        <message>
            <source>Only the remote has a file at this path: there is one version, not two to keep. Use theirs takes it; Use mine leaves it out</source>
            <translation>Nur das Remote hat eine Datei unter diesem Pfad: es gibt eine Fassung zu behalten, nicht zwei. „Ihre verwenden“ übernimmt sie; „Meine verwenden“ lässt sie weg</translation>
        </message>
        <message>
            <source>Only this computer has a file at this path: there is one version, not two to keep. Use mine keeps it; Use theirs leaves it out</source>
            <translation>Nur dieser Computer hat eine Datei unter diesem Pfad: es gibt eine Fassung zu behalten, nicht zwei. „Meine verwenden“ behält sie; „Ihre verwenden“ lässt sie weg</translation>
        </message>
        <message>
            <source>Open folder</source>
            <translation>Ordner öffnen</translation>
        </message>
        <message>
            <source>Open in merge tool</source>
            <translation>Im Merge-Werkzeug öffnen</translation>
        </message>
        <message>
            <source>Open the repository's folder</source>
            <translation>Den Ordner des Repositorys öffnen</translation>
        </message>
        <message>
            <source>Replaying the commits and syncing…</source>
            <translation>Commits werden neu angewendet und synchronisiert…</translation>
        </message>
        <message>
            <source>Resolution status</source>
            <translation>Stand der Konfliktlösung</translation>
        </message>
        <message>
            <source>Resolved: keep both</source>
            <translation>Gelöst: beide behalten</translation>
        </message>
        <message>
            <source>Resolved: merged file</source>
            <translation>Gelöst: zusammengeführte Datei</translation>
        </message>
        <message>
            <source>Resolved: mine</source>
            <translation>Gelöst: meine</translation>
        </message>
        <message>
            <source>Resolved: theirs</source>
            <translation>Gelöst: ihre</translation>
        </message>
        <message>
            <source>Selected path</source>
            <translation>Ausgewählter Pfad</translation>
        </message>
        <message>
            <source>Size</source>
            <translation>Größe</translation>
        </message>
        <message>
            <source>Take the remote's version</source>
            <translation>Die Fassung des Remotes übernehmen</translation>
        </message>
        <message>
            <source>The remote deleted this file: there is one version, not two to keep. Use mine keeps it; Use theirs deletes it</source>
            <translation>Das Remote hat diese Datei gelöscht: es gibt eine Fassung zu behalten, nicht zwei. „Meine verwenden“ behält sie; „Ihre verwenden“ löscht sie</translation>
        </message>
        <message>
            <source>Theirs</source>
            <translation>Ihre</translation>
        </message>
        <message>
            <source>Theirs (the remote) against the base</source>
            <translation>Ihre (das Remote) gegenüber der Basis</translation>
        </message>
        <message>
            <source>Theirs at the path, mine beside it as a conflict copy</source>
            <translation>Ihre am Pfad, meine daneben als Konfliktkopie</translation>
        </message>
        <message>
            <source>This computer deleted this file: there is one version, not two to keep. Use theirs takes the remote's back; Use mine leaves it deleted</source>
            <translation>Dieser Computer hat diese Datei gelöscht: es gibt eine Fassung zu behalten, nicht zwei. „Ihre verwenden“ stellt die Fassung des Remotes wieder her; „Meine verwenden“ lässt sie gelöscht</translation>
        </message>
        <message>
            <source>Use mine</source>
            <translation>Meine verwenden</translation>
        </message>
        <message>
            <source>Use theirs</source>
            <translation>Ihre verwenden</translation>
        </message>
        <message>
            <source>Version</source>
            <translation>Fassung</translation>
        </message>
        <message>
            <source>Waiting for the merge tool to close…</source>
            <translation>Warten, bis das Merge-Werkzeug geschlossen wird…</translation>
        </message>
        <message>
            <source>deleted</source>
            <translation>gelöscht</translation>
        </message>
        <message>
            <source>git's merge.tool when one is configured, else your editor on a file with conflict markers</source>
            <translation>gits merge.tool, wenn eines eingerichtet ist, sonst dein Editor mit einer Datei mit Konfliktmarkierungen</translation>
        </message>
    </context>
    <context>
        <name>CredentialsPanel</name>
        <message>
            <source>%1 fetches from %2</source>
            <translation>%1 ruft ab von %2</translation>
        </message>
        <message>
            <source>%1 pushes to %2</source>
            <translation>%1 pusht nach %2</translation>
        </message>
        <message>
            <source>Ask the remote with these credentials (saved only if it accepts), or with nothing typed, as a sync would</source>
            <translation>Das Remote mit diesen Zugangsdaten fragen (gespeichert nur, wenn es sie annimmt) oder, wenn nichts eingegeben ist, so wie eine Synchronisierung</translation>
        </message>
        <message>
            <source>Connected</source>
            <translation>Verbunden</translation>
        </message>
        <message>
            <source>Connected to %1 (%2 refs; %3)</source>
            <translation>Verbunden mit %1 (%2 Refs; %3)</translation>
        </message>
        <message>
            <source>Connected; saved in the keyring</source>
            <translation>Verbunden; im Schlüsselbund gespeichert</translation>
        </message>
        <message>
            <source>Connected; there is no system keyring: kept in memory only until Gitferry quits (to keep it, set up a keyring or a git credential helper)</source>
            <translation>Verbunden; es gibt keinen Schlüsselbund des Systems: nur im Speicher behalten, bis Gitferry beendet wird (um es zu behalten, richte einen Schlüsselbund oder einen git-Zugangsdaten-Helfer ein)</translation>
        </message>
        <message>
            <source>Connecting…</source>
            <translation>Verbinde…</translation>
        </message>
        <message>
            <source>Credential: {source}</source>
            <translation>Zugangsdaten: {source}</translation>
        </message>
        <message>
            <source>Kept in the system keyring once the remote accepts it</source>
            <translation>Wird im Schlüsselbund des Systems aufbewahrt, sobald das Remote es annimmt</translation>
        </message>
        <message>
            <source>No remote signs in: git:// and paths need nothing.</source>
            <translation>Kein Remote meldet sich an: git:// und Pfade brauchen nichts.</translation>
        </message>
        <message>
            <source>Rewritten by git's url.*.insteadOf: %1</source>
            <translation>Umgeschrieben durch gits url.*.insteadOf: %1</translation>
        </message>
        <message>
            <source>Secret for %1</source>
            <translation>Geheimnis für %1</translation>
        </message>
        <message>
            <source>Test connection</source>
            <translation>Verbindung testen</translation>
        </message>
        <message>
            <source>Test connection to %1</source>
            <translation>Verbindung zu %1 testen</translation>
        </message>
        <message>
            <source>User name for %1</source>
            <translation>Benutzername für %1</translation>
        </message>
        <message>
            <source>saved in the keyring</source>
            <translation>im Schlüsselbund gespeichert</translation>
        </message>
        <message>
            <source>the saved secret was refused: type a new one</source>
            <translation>das gespeicherte Geheimnis wurde abgelehnt: gib ein neues ein</translation>
        </message>
        <message>
            <source>token or password</source>
            <translation>Token oder Passwort</translation>
        </message>
        <message>
            <source>user name</source>
            <translation>Benutzername</translation>
        </message>
    </context>
    <context>
        <name>Desktop</name>
        <message numerus="yes">
            <source>%1 of %n repositories synced</source>
            <translation>
                <numerusform>%1 von %n Repository synchronisiert</numerusform>
                <numerusform>%1 von %n Repositories synchronisiert</numerusform>
            </translation>
        </message>
        <message>
            <source>%1 synced</source>
            <translation>%1 synchronisiert</translation>
        </message>
        <message>
            <source>%1 synced; %2</source>
            <translation>%1 synchronisiert; %2</translation>
        </message>
        <message>
            <source>%1. See Skipped files in the status window.</source>
            <translation>%1. Siehe „Übersprungene Dateien“ im Statusfenster.</translation>
        </message>
        <message>
            <source>%1: %2 keeps failing</source>
            <translation>%1: %2 schlägt immer wieder fehl</translation>
        </message>
        <message>
            <source>%1: both sides kept</source>
            <translation>%1: beide Seiten behalten</translation>
        </message>
        <message>
            <source>%1: conflict</source>
            <translation>%1: Konflikt</translation>
        </message>
        <message>
            <source>%1: offline</source>
            <translation>%1: offline</translation>
        </message>
        <message>
            <source>%1: sign-in needed</source>
            <translation>%1: Anmeldung nötig</translation>
        </message>
        <message>
            <source>%1: sync cancelled</source>
            <translation>%1: Synchronisierung abgebrochen</translation>
        </message>
        <message numerus="yes">
            <source>%n cancelled</source>
            <translation>
                <numerusform>%n abgebrochen</numerusform>
                <numerusform>%n abgebrochen</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n file(s) skipped</source>
            <translation>
                <numerusform>%n Datei übersprungen</numerusform>
                <numerusform>%n Dateien übersprungen</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n need(s) you</source>
            <translation>
                <numerusform>%n braucht dich</numerusform>
                <numerusform>%n brauchen dich</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n offline</source>
            <translation>
                <numerusform>%n offline</numerusform>
                <numerusform>%n offline</numerusform>
            </translation>
        </message>
        <message>
            <source>Already up to date.</source>
            <translation>Bereits aktuell.</translation>
        </message>
        <message>
            <source>Check the credentials in Settings.</source>
            <translation>Prüfe die Zugangsdaten in den Einstellungen.</translation>
        </message>
        <message>
            <source>Conflicting edits were both kept (%1); compare them and delete the copy.</source>
            <translation>Beide Änderungen im Konflikt wurden behalten (%1); vergleiche sie und lösche die Kopie.</translation>
        </message>
        <message>
            <source>Gitferry stops fetching from it until %1, then tries again.</source>
            <translation>Gitferry ruft bis %1 nichts davon ab und versucht es dann erneut.</translation>
        </message>
        <message>
            <source>No repositories to sync yet: add one in Settings.</source>
            <translation>Noch keine Repositories zum Synchronisieren: füge eines in den Einstellungen hinzu.</translation>
        </message>
        <message>
            <source>Quit before a sync ended</source>
            <translation>Beendet, bevor eine Synchronisierung fertig war</translation>
        </message>
        <message>
            <source>Resolve %1 in %2.</source>
            <translation>Löse %1 in %2.</translation>
        </message>
        <message>
            <source>See Skipped files in the status window.</source>
            <translation>Siehe „Übersprungene Dateien“ im Statusfenster.</translation>
        </message>
        <message>
            <source>Sync all</source>
            <translation>Alle synchronisieren</translation>
        </message>
        <message>
            <source>Sync all finished</source>
            <translation>Alle synchronisieren: fertig</translation>
        </message>
        <message>
            <source>The repository was left as it was before the sync.</source>
            <translation>Das Repository blieb, wie es vor der Synchronisierung war.</translation>
        </message>
        <message>
            <source>What it committed is kept; it syncs again when Gitferry starts.</source>
            <translation>Was sie committet hat, bleibt erhalten; sie synchronisiert erneut, wenn Gitferry startet.</translation>
        </message>
        <message>
            <source>brought in %1</source>
            <translation>%1 übernommen</translation>
        </message>
        <message>
            <source>pushed %1</source>
            <translation>%1 gepusht</translation>
        </message>
    </context>
    <context>
        <name>DesktopNotifications</name>
        <message>
            <source>Show</source>
            <translation>Anzeigen</translation>
        </message>
    </context>
    <context>
        <name>Engine</name>
        <message numerus="yes">
            <source>%n branch(es) not published: {listed}; publish with gitferry publish {repo} {branch}</source>
            <translation>
                <numerusform>%n Branch unveröffentlicht: {listed}; veröffentliche ihn mit gitferry publish {repo} {branch}</numerusform>
                <numerusform>%n Branches unveröffentlicht: {listed}; veröffentliche sie mit gitferry publish {repo} {branch}</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n files' Git LFS objects missing (first: {first}; {why}); their pointers are checked out, and the next sync fills them in</source>
            <translation>
                <numerusform>Git-LFS-Objekt von %n Datei fehlt (zuerst: {first}; {why}); ihr Pointer ist ausgecheckt, die nächste Synchronisierung ergänzt es</numerusform>
                <numerusform>Git-LFS-Objekte von %n Dateien fehlen (zuerst: {first}; {why}); ihre Pointer sind ausgecheckt, die nächste Synchronisierung ergänzt sie</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n more branch(es) behind or ahead (`gitferry status` lists them)</source>
            <translation>
                <numerusform>%n weiterer Branch zurück oder voraus (`gitferry status` listet sie)</numerusform>
                <numerusform>%n weitere Branches zurück oder voraus (`gitferry status` listet sie)</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n path(s) still to resolve: {paths}</source>
            <translation>
                <numerusform>%n Pfad noch aufzulösen: {paths}</numerusform>
                <numerusform>%n Pfade noch aufzulösen: {paths}</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n ref(s)</source>
            <translation>
                <numerusform>%n Ref</numerusform>
                <numerusform>%n Refs</numerusform>
            </translation>
        </message>
        <message>
            <source>; did you mean {scheme}://?</source>
            <translation>; meintest du {scheme}://?</translation>
        </message>
        <message>
            <source>Git LFS over a local path ({path}) is not supported</source>
            <translation>Git LFS über einen lokalen Pfad ({path}) wird nicht unterstützt</translation>
        </message>
        <message>
            <source>HEAD is detached</source>
            <translation>HEAD ist losgelöst</translation>
        </message>
        <message>
            <source>HEAD is detached at {commit}, a submodule checkout of {superproject}: nothing to integrate; `git submodule update` there moves it (as its sync does, with submodule.recurse), or `git switch NAME` here syncs a branch</source>
            <translation>HEAD ist bei {commit} losgelöst, ein Submodul-Checkout von {superproject}: nichts zu integrieren; `git submodule update` dort bewegt ihn (wie dessen Synchronisierung, mit submodule.recurse), oder `git switch NAME` hier synchronisiert einen Branch</translation>
        </message>
        <message>
            <source>HEAD is detached: there is no checked-out branch to integrate</source>
            <translation>HEAD ist losgelöst: es gibt keinen ausgecheckten Branch zum Integrieren</translation>
        </message>
        <message>
            <source>`git am`</source>
            <translation>`git am`</translation>
        </message>
        <message>
            <source>a bisect</source>
            <translation>ein Bisect</translation>
        </message>
        <message>
            <source>a bisect is in progress: finish or abort it with git</source>
            <translation>ein Bisect läuft: schließe ihn mit git ab oder brich ihn ab</translation>
        </message>
        <message>
            <source>a boolean</source>
            <translation>ein Wahrheitswert</translation>
        </message>
        <message>
            <source>a cherry-pick</source>
            <translation>ein Cherry-pick</translation>
        </message>
        <message>
            <source>a cherry-pick or revert</source>
            <translation>ein Cherry-pick oder Revert</translation>
        </message>
        <message>
            <source>a clone into it is still running ({who})</source>
            <translation>ein Klonen in ihn läuft noch ({who})</translation>
        </message>
        <message>
            <source>a header is 'Name: value'</source>
            <translation>ein Header ist 'Name: Wert'</translation>
        </message>
        <message>
            <source>a host name cannot start with '-'</source>
            <translation>ein Hostname kann nicht mit '-' beginnen</translation>
        </message>
        <message>
            <source>a merge</source>
            <translation>ein Merge</translation>
        </message>
        <message>
            <source>a number</source>
            <translation>eine Zahl</translation>
        </message>
        <message>
            <source>a rebase</source>
            <translation>ein Rebase</translation>
        </message>
        <message>
            <source>a rebase in progress will move it: finish or abort it with git</source>
            <translation>ein laufender Rebase wird ihn verschieben: schließe ihn mit git ab oder brich ihn ab</translation>
        </message>
        <message>
            <source>a rebase is in progress: finish or abort it with git</source>
            <translation>ein Rebase läuft: schließe ihn mit git ab oder brich ihn ab</translation>
        </message>
        <message>
            <source>a rebase of {branch}</source>
            <translation>ein Rebase von {branch}</translation>
        </message>
        <message>
            <source>a repository at {path} is already added</source>
            <translation>ein Repository in {path} ist schon hinzugefügt</translation>
        </message>
        <message>
            <source>a repository named {name} or at {path} is already added</source>
            <translation>ein Repository namens {name} oder in {path} ist schon hinzugefügt</translation>
        </message>
        <message>
            <source>a revert</source>
            <translation>ein Revert</translation>
        </message>
        <message>
            <source>a user name and a token or password are both needed</source>
            <translation>Benutzername und Token oder Passwort werden beide gebraucht</translation>
        </message>
        <message>
            <source>a {kind} URL cannot carry a password</source>
            <translation>eine {kind}-URL kann kein Passwort enthalten</translation>
        </message>
        <message>
            <source>an IPv6 address must be in [brackets], closed before the path</source>
            <translation>eine IPv6-Adresse muss in [Klammern] stehen, vor dem Pfad geschlossen</translation>
        </message>
        <message>
            <source>an ssh address cannot carry a password</source>
            <translation>eine ssh-Adresse kann kein Passwort enthalten</translation>
        </message>
        <message>
            <source>another Gitferry engine</source>
            <translation>eine andere Gitferry-Engine</translation>
        </message>
        <message>
            <source>another `gitferry daemon` (pid {pid})</source>
            <translation>ein anderer `gitferry daemon` (PID {pid})</translation>
        </message>
        <message>
            <source>another branch is pushed to {ref}</source>
            <translation>ein anderer Branch wird nach {ref} gepusht</translation>
        </message>
        <message>
            <source>as given earlier while Gitferry runs</source>
            <translation>wie zuvor angegeben, solange Gitferry läuft</translation>
        </message>
        <message>
            <source>as typed</source>
            <translation>wie eingegeben</translation>
        </message>
        <message>
            <source>as typed at the sign-in</source>
            <translation>wie bei der Anmeldung eingegeben</translation>
        </message>
        <message>
            <source>authentication refused</source>
            <translation>Anmeldung abgelehnt</translation>
        </message>
        <message>
            <source>bad duration {text}: expected e.g. 90s, 30m, 1h or 2d</source>
            <translation>ungültige Dauer {text}: erwartet z. B. 90s, 30m, 1h oder 2d</translation>
        </message>
        <message>
            <source>bad duration {text}: more than 0 and at most a year</source>
            <translation>ungültige Dauer {text}: mehr als 0 und höchstens ein Jahr</translation>
        </message>
        <message>
            <source>bad fetch refspec {refspec}</source>
            <translation>ungültige Abruf-Refspec {refspec}</translation>
        </message>
        <message>
            <source>bad push.default {mode} in the git config</source>
            <translation>ungültiges push.default {mode} in der git-Konfiguration</translation>
        </message>
        <message>
            <source>bad remote URL {url}: {why}</source>
            <translation>ungültige Remote-URL {url}: {why}</translation>
        </message>
        <message>
            <source>bad remote name {name}</source>
            <translation>ungültiger Remote-Name {name}</translation>
        </message>
        <message>
            <source>bad repository name {name}: no spaces or slashes, not starting with '-'</source>
            <translation>ungültiger Repository-Name {name}: keine Leerzeichen oder Schrägstriche, nicht mit '-' am Anfang</translation>
        </message>
        <message>
            <source>bad value {value} for {key}: {why}</source>
            <translation>ungültiger Wert {value} für {key}: {why}</translation>
        </message>
        <message>
            <source>being bisected from</source>
            <translation>Ausgangspunkt eines Bisect</translation>
        </message>
        <message>
            <source>being rebased</source>
            <translation>im Rebase</translation>
        </message>
        <message>
            <source>branch {branch} has no commit yet: nothing to integrate</source>
            <translation>Branch {branch} hat noch keinen Commit: nichts zu integrieren</translation>
        </message>
        <message>
            <source>branch {names}</source>
            <translation>Branch {names}</translation>
        </message>
        <message>
            <source>brought back {paths} as the other side modified it (deleted here)</source>
            <translation>{paths} wiederhergestellt, da die andere Seite sie geändert hat (hier gelöscht)</translation>
        </message>
        <message>
            <source>cannot clone into {folder}: it exists and is not empty</source>
            <translation>Klonen nach {folder} nicht möglich: der Ordner existiert und ist nicht leer</translation>
        </message>
        <message>
            <source>cannot clone into {folder}: it is a file</source>
            <translation>Klonen nach {folder} nicht möglich: das ist eine Datei</translation>
        </message>
        <message>
            <source>certificate not trusted ({detail}): give git's http.sslCAInfo the CA's certificate file</source>
            <translation>Zertifikat nicht vertrauenswürdig ({detail}): gib git in http.sslCAInfo die Zertifikatsdatei der CA</translation>
        </message>
        <message>
            <source>checked out</source>
            <translation>ausgecheckt</translation>
        </message>
        <message>
            <source>clone of {url} cancelled: nothing was kept</source>
            <translation>Klonen von {url} abgebrochen: nichts wurde behalten</translation>
        </message>
        <message>
            <source>cloned from {url}</source>
            <translation>geklont von {url}</translation>
        </message>
        <message>
            <source>commit or stash the changes (git status lists them), then finish again</source>
            <translation>committe oder stashe die Änderungen (git status listet sie), dann schließe erneut ab</translation>
        </message>
        <message>
            <source>commit or stash the changes (git status lists them), then sync again</source>
            <translation>committe oder stashe die Änderungen (git status listet sie), dann synchronisiere erneut</translation>
        </message>
        <message>
            <source>commit or stash the changes (git status lists them), then undo again</source>
            <translation>committe oder stashe die Änderungen (git status listet sie), dann mache erneut rückgängig</translation>
        </message>
        <message>
            <source>commit or stash the changes and move or remove the untracked files (git status lists them), then finish again</source>
            <translation>committe oder stashe die Änderungen und verschiebe oder entferne die unversionierten Dateien (git status listet sie), dann schließe erneut ab</translation>
        </message>
        <message>
            <source>commit or stash the changes and move or remove the untracked files (git status lists them), then sync again</source>
            <translation>committe oder stashe die Änderungen und verschiebe oder entferne die unversionierten Dateien (git status listet sie), dann synchronisiere erneut</translation>
        </message>
        <message>
            <source>commit or stash the changes and move or remove the untracked files (git status lists them), then undo again</source>
            <translation>committe oder stashe die Änderungen und verschiebe oder entferne die unversionierten Dateien (git status listet sie), dann mache erneut rückgängig</translation>
        </message>
        <message>
            <source>commit.gpgsign is set but signing is misconfigured: {reason}</source>
            <translation>commit.gpgsign ist gesetzt, aber das Signieren ist falsch eingerichtet: {reason}</translation>
        </message>
        <message>
            <source>commit.gpgsign is set but {signer} failed: {reason}</source>
            <translation>commit.gpgsign ist gesetzt, aber {signer} schlug fehl: {reason}</translation>
        </message>
        <message numerus="yes">
            <source>committed %n file(s)</source>
            <translation>
                <numerusform>%n Datei committet</numerusform>
                <numerusform>%n Dateien committet</numerusform>
            </translation>
        </message>
        <message>
            <source>committing</source>
            <translation>Committen</translation>
        </message>
        <message>
            <source>connection refused</source>
            <translation>Verbindung abgelehnt</translation>
        </message>
        <message>
            <source>connection timed out</source>
            <translation>Zeitüberschreitung der Verbindung</translation>
        </message>
        <message>
            <source>could not connect</source>
            <translation>keine Verbindung möglich</translation>
        </message>
        <message>
            <source>could not forget the credential</source>
            <translation>konnte die Zugangsdaten nicht löschen</translation>
        </message>
        <message>
            <source>could not reach {address}: {reason}</source>
            <translation>{address} nicht erreichbar: {reason}</translation>
        </message>
        <message>
            <source>could not read the credential</source>
            <translation>konnte die Zugangsdaten nicht lesen</translation>
        </message>
        <message>
            <source>could not record this sync: {why}</source>
            <translation>diese Synchronisierung konnte nicht gespeichert werden: {why}</translation>
        </message>
        <message>
            <source>could not run {tool}: {error}</source>
            <translation>{tool} konnte nicht gestartet werden: {error}</translation>
        </message>
        <message>
            <source>could not save the credential</source>
            <translation>konnte die Zugangsdaten nicht speichern</translation>
        </message>
        <message>
            <source>credential helper {helper} gave a password but no user name: set git's credential.username, or write the user in the URL</source>
            <translation>der Zugangsdaten-Helfer {helper} gab ein Passwort, aber keinen Benutzernamen: setze credential.username in git oder schreibe den Benutzer in die URL</translation>
        </message>
        <message>
            <source>credential helper {helper} is a git command and git is not installed</source>
            <translation>der Zugangsdaten-Helfer {helper} ist ein git-Befehl, und git ist nicht installiert</translation>
        </message>
        <message>
            <source>credential helper {helper} said to stop asking</source>
            <translation>der Zugangsdaten-Helfer {helper} sagte, nicht weiter zu fragen</translation>
        </message>
        <message>
            <source>deleted tag {tags}: {remote} no longer has it (pruneTags, as git fetch --prune-tags)</source>
            <translation>Tag {tags} gelöscht: {remote} hat ihn nicht mehr (pruneTags, wie git beim Abrufen mit --prune-tags)</translation>
        </message>
        <message>
            <source>deleted tags {tags}: {remote} no longer has them (pruneTags, as git fetch --prune-tags)</source>
            <translation>Tags {tags} gelöscht: {remote} hat sie nicht mehr (pruneTags, wie git beim Abrufen mit --prune-tags)</translation>
        </message>
        <message>
            <source>end it with git bisect reset</source>
            <translation>beende ihn mit git bisect reset</translation>
        </message>
        <message>
            <source>expected a number of bytes, 1 or more, or with a unit as git config takes it (50m, 2g)</source>
            <translation>erwartet eine Anzahl Bytes, 1 oder mehr, oder mit einer Einheit, wie git config sie nimmt (50m, 2g)</translation>
        </message>
        <message>
            <source>expected a whole number, 1 or more</source>
            <translation>erwartet eine ganze Zahl, 1 oder mehr</translation>
        </message>
        <message>
            <source>expected empty, always, or a time (epoch seconds)</source>
            <translation>erwartet leer, always oder eine Zeit (Epochensekunden)</translation>
        </message>
        <message>
            <source>expected one of {choices}</source>
            <translation>erwartet eines von {choices}</translation>
        </message>
        <message>
            <source>expected seconds, more than 0 and at most 3600</source>
            <translation>erwartet Sekunden, mehr als 0 und höchstens 3600</translation>
        </message>
        <message>
            <source>expected true or false</source>
            <translation>erwartet true oder false</translation>
        </message>
        <message>
            <source>expected upstreams, all, or a comma-separated list of branch names</source>
            <translation>erwartet upstreams, all oder eine durch Kommas getrennte Liste von Branch-Namen</translation>
        </message>
        <message>
            <source>failed to update ref (it moved during the push)</source>
            <translation>Ref nicht aktualisiert (er hat sich während des Pushens bewegt)</translation>
        </message>
        <message>
            <source>failing</source>
            <translation>schlägt immer wieder fehl</translation>
        </message>
        <message>
            <source>fast-forwarded {branches}</source>
            <translation>{branches} per Fast-Forward nachgezogen</translation>
        </message>
        <message>
            <source>fetched {refs} ({objects} objects)</source>
            <translation>{refs} abgerufen ({objects} Objekte)</translation>
        </message>
        <message>
            <source>fetching</source>
            <translation>Abrufen</translation>
        </message>
        <message>
            <source>fetching Git LFS objects</source>
            <translation>Abrufen der Git-LFS-Objekte</translation>
        </message>
        <message>
            <source>fetching from {remote} failed: {reason}</source>
            <translation>Abrufen von {remote} fehlgeschlagen: {reason}</translation>
        </message>
        <message>
            <source>fetching from {remote} stopped: {reason}</source>
            <translation>Abrufen von {remote} angehalten: {reason}</translation>
        </message>
        <message>
            <source>file:// URLs must name a local path (no host)</source>
            <translation>file://-URLs müssen einen lokalen Pfad nennen (keinen Host)</translation>
        </message>
        <message>
            <source>finish or abort it with git</source>
            <translation>schließe ihn mit git ab oder brich ihn ab</translation>
        </message>
        <message>
            <source>fix or unset {variable}</source>
            <translation>korrigiere {variable} oder entferne es</translation>
        </message>
        <message>
            <source>from askpass program {name}</source>
            <translation>vom Askpass-Programm {name}</translation>
        </message>
        <message>
            <source>from credential helper {name}</source>
            <translation>vom Zugangsdaten-Helfer {name}</translation>
        </message>
        <message>
            <source>from the keyring</source>
            <translation>aus dem Schlüsselbund</translation>
        </message>
        <message>
            <source>git config push.default current would push it to {remote}</source>
            <translation>git config push.default current würde ihn nach {remote} pushen</translation>
        </message>
        <message>
            <source>git config push.default upstream would push it to {remote}'s {theirs}</source>
            <translation>git config push.default upstream würde ihn nach {theirs} auf {remote} pushen</translation>
        </message>
        <message>
            <source>git config {key}: {why}</source>
            <translation>git config {key}: {why}</translation>
        </message>
        <message>
            <source>git's credential helper {names}</source>
            <translation>git-Zugangsdaten-Helfer {names}</translation>
        </message>
        <message>
            <source>git's credential helpers {names}</source>
            <translation>git-Zugangsdaten-Helfer {names}</translation>
        </message>
        <message>
            <source>host is down</source>
            <translation>Host ist nicht in Betrieb</translation>
        </message>
        <message>
            <source>in the URL</source>
            <translation>in der URL</translation>
        </message>
        <message>
            <source>install one (GNOME Keyring, KWallet) or use a git credential helper (git config --global credential.helper store, or cache)</source>
            <translation>richte einen ein (GNOME Keyring, KWallet) oder nutze einen git-Zugangsdaten-Helfer (git config --global credential.helper store oder cache)</translation>
        </message>
        <message>
            <source>integrating</source>
            <translation>Integrieren</translation>
        </message>
        <message>
            <source>it cannot be parsed</source>
            <translation>sie ist nicht lesbar</translation>
        </message>
        <message>
            <source>it has leading/trailing spaces or control characters</source>
            <translation>sie hat Leerzeichen am Anfang/Ende oder Steuerzeichen</translation>
        </message>
        <message>
            <source>it holds a clone of {other} that did not finish; remove it to clone {url}</source>
            <translation>er enthält einen nicht fertigen Klon von {other}; entferne ihn, um {url} zu klonen</translation>
        </message>
        <message>
            <source>it is a clone of {url} that did not finish; clone it again with Clone from URL…</source>
            <translation>er ist ein nicht fertiger Klon von {url}; klone ihn erneut mit „Von URL klonen…“</translation>
        </message>
        <message>
            <source>it is a clone of {url} that did not finish; run that gitferry clone again</source>
            <translation>er ist ein nicht fertiger Klon von {url}; führe dieses gitferry clone erneut aus</translation>
        </message>
        <message>
            <source>it is empty</source>
            <translation>sie ist leer</translation>
        </message>
        <message>
            <source>its HEAD moved meanwhile</source>
            <translation>sein HEAD hat sich inzwischen bewegt</translation>
        </message>
        <message>
            <source>its detached HEAD holds commits no branch has</source>
            <translation>sein losgelöster HEAD enthält Commits, die kein Branch hat</translation>
        </message>
        <message>
            <source>its repository does not have commit {commit}</source>
            <translation>sein Repository hat den Commit {commit} nicht</translation>
        </message>
        <message>
            <source>its update mode is {mode}</source>
            <translation>sein Aktualisierungsmodus ist {mode}</translation>
        </message>
        <message numerus="yes">
            <source>kept both sides of %n conflict(s): {copies}</source>
            <translation>
                <numerusform>beide Seiten von %n Konflikt behalten: {copies}</numerusform>
                <numerusform>beide Seiten von %n Konflikten behalten: {copies}</numerusform>
            </translation>
        </message>
        <message>
            <source>kept {paths} as modified (deleted on the other side)</source>
            <translation>{paths} geändert behalten (auf der anderen Seite gelöscht)</translation>
        </message>
        <message>
            <source>key file {path}</source>
            <translation>Schlüsseldatei {path}</translation>
        </message>
        <message>
            <source>key file {path} (passphrase: asked once a session)</source>
            <translation>Schlüsseldatei {path} (Passphrase: einmal pro Sitzung erfragt)</translation>
        </message>
        <message>
            <source>leave the password out of the URL: Gitferry asks for it when the remote does</source>
            <translation>lass das Passwort aus der URL weg: Gitferry fragt danach, wenn das Remote es verlangt</translation>
        </message>
        <message numerus="yes">
            <source>left out %n file(s) ({reasons})</source>
            <translation>
                <numerusform>%n Datei übersprungen ({reasons})</numerusform>
                <numerusform>%n Dateien übersprungen ({reasons})</numerusform>
            </translation>
        </message>
        <message>
            <source>left out {path} ({reasons})</source>
            <translation>{path} übersprungen ({reasons})</translation>
        </message>
        <message>
            <source>left {branch} alone: {why}</source>
            <translation>{branch} nicht angefasst: {why}</translation>
        </message>
        <message>
            <source>lfs missing</source>
            <translation>LFS-Objekt fehlt</translation>
        </message>
        <message>
            <source>local changes would be overwritten: {dirty}</source>
            <translation>lokale Änderungen würden überschrieben: {dirty}</translation>
        </message>
        <message>
            <source>local changes would be overwritten: {dirty}; untracked files are in the way: {untracked}</source>
            <translation>lokale Änderungen würden überschrieben: {dirty}; unversionierte Dateien sind im Weg: {untracked}</translation>
        </message>
        <message>
            <source>measuring branches</source>
            <translation>Messen der Branches</translation>
        </message>
        <message>
            <source>merge tool {tool} is unknown to git: give it a command (git config mergetool.{tool}.cmd)</source>
            <translation>das Merge-Werkzeug {tool} ist git unbekannt: gib ihm einen Befehl (git config mergetool.{tool}.cmd)</translation>
        </message>
        <message>
            <source>merged {branches}</source>
            <translation>{branches} zusammengeführt</translation>
        </message>
        <message>
            <source>move or remove the untracked files (git status lists them), then finish again</source>
            <translation>verschiebe oder entferne die unversionierten Dateien (git status listet sie), dann schließe erneut ab</translation>
        </message>
        <message>
            <source>move or remove the untracked files (git status lists them), then sync again</source>
            <translation>verschiebe oder entferne die unversionierten Dateien (git status listet sie), dann synchronisiere erneut</translation>
        </message>
        <message>
            <source>move or remove the untracked files (git status lists them), then undo again</source>
            <translation>verschiebe oder entferne die unversionierten Dateien (git status listet sie), dann mache erneut rückgängig</translation>
        </message>
        <message>
            <source>nested repository</source>
            <translation>ein eigenes Repository (verschachtelt)</translation>
        </message>
        <message>
            <source>network is unreachable</source>
            <translation>Netzwerk ist nicht erreichbar</translation>
        </message>
        <message>
            <source>no Git LFS server at {url} (HTTP 404{said})</source>
            <translation>kein Git-LFS-Server unter {url} (HTTP 404{said})</translation>
        </message>
        <message>
            <source>no Git LFS server is configured (lfs.url, remote URL)</source>
            <translation>kein Git-LFS-Server ist eingerichtet (lfs.url, URL des Remotes)</translation>
        </message>
        <message>
            <source>no backup ref of {branch} holds {commit} any more</source>
            <translation>kein Sicherungs-Ref von {branch} enthält {commit} mehr</translation>
        </message>
        <message>
            <source>no branch named {branch} in {repo}, on this computer or on a remote</source>
            <translation>kein Branch namens {branch} in {repo}, weder auf diesem Computer noch auf einem Remote</translation>
        </message>
        <message>
            <source>no files</source>
            <translation>keine Dateien</translation>
        </message>
        <message>
            <source>no git repository at {url}</source>
            <translation>kein git-Repository unter {url}</translation>
        </message>
        <message>
            <source>no host name</source>
            <translation>kein Hostname</translation>
        </message>
        <message>
            <source>no integration of the checked-out branch is recorded to undo</source>
            <translation>keine Integration des ausgecheckten Branches ist zum Rückgängigmachen verzeichnet</translation>
        </message>
        <message>
            <source>no integration of {branch} is recorded to undo</source>
            <translation>keine Integration von {branch} ist zum Rückgängigmachen verzeichnet</translation>
        </message>
        <message>
            <source>no local branch named {branch}</source>
            <translation>kein lokaler Branch namens {branch}</translation>
        </message>
        <message>
            <source>no merge tool is configured (git config merge.tool NAME, mergetool.NAME.cmd)</source>
            <translation>kein Merge-Werkzeug eingerichtet (git config merge.tool NAME, mergetool.NAME.cmd)</translation>
        </message>
        <message>
            <source>no remote named {name}</source>
            <translation>kein Remote namens {name}</translation>
        </message>
        <message>
            <source>no remote to sync with: its commits are on this computer only; add one in Settings or with gitferry remote add {name} origin URL</source>
            <translation>kein Remote zum Synchronisieren: seine Commits sind nur auf diesem Computer; füge eines in den Einstellungen hinzu oder mit gitferry remote add {name} origin URL</translation>
        </message>
        <message>
            <source>no repository named {name} (see `gitferry list`)</source>
            <translation>kein Repository namens {name} (siehe `gitferry list`)</translation>
        </message>
        <message>
            <source>no repository path</source>
            <translation>kein Repository-Pfad</translation>
        </message>
        <message>
            <source>no repository path after ':'</source>
            <translation>kein Repository-Pfad nach ':'</translation>
        </message>
        <message>
            <source>no repository there</source>
            <translation>dort ist kein Repository</translation>
        </message>
        <message>
            <source>no route to host</source>
            <translation>keine Route zum Host</translation>
        </message>
        <message>
            <source>no sign-in needed</source>
            <translation>keine Anmeldung nötig</translation>
        </message>
        <message>
            <source>no {missing} is configured and user.useConfigOnly forbids guessing one: git would not commit either; set it (git config user.{missing} ...)</source>
            <translation>kein {missing} eingerichtet, und user.useConfigOnly verbietet das Raten: auch git würde nicht committen; setze ihn (git config user.{missing} ...)</translation>
        </message>
        <message>
            <source>non-fast-forward (the remote has new commits)</source>
            <translation>kein Fast-Forward (das Remote hat neue Commits)</translation>
        </message>
        <message>
            <source>none needed</source>
            <translation>keine nötig</translation>
        </message>
        <message>
            <source>none saved: a sync you start asks you to sign in</source>
            <translation>keine gespeichert: eine Synchronisierung, die du startest, bittet dich um Anmeldung</translation>
        </message>
        <message>
            <source>not from the keyring ({why})</source>
            <translation>nicht aus dem Schlüsselbund ({why})</translation>
        </message>
        <message>
            <source>not pushed to {remote}'s URL {url}: {why}</source>
            <translation>nicht zur URL {url} von {remote} gepusht: {why}</translation>
        </message>
        <message>
            <source>not pushed: {error}</source>
            <translation>nicht gepusht: {error}</translation>
        </message>
        <message>
            <source>not pushed: {remote}'s push URL is unreachable: {reason}</source>
            <translation>nicht gepusht: die Push-URL von {remote} ist nicht erreichbar: {reason}</translation>
        </message>
        <message>
            <source>not reported</source>
            <translation>nicht gemeldet</translation>
        </message>
        <message>
            <source>not undone: {why}</source>
            <translation>nicht rückgängig gemacht: {why}</translation>
        </message>
        <message>
            <source>nothing</source>
            <translation>nichts</translation>
        </message>
        <message>
            <source>pid {pid} since {time}</source>
            <translation>PID {pid} seit {time}</translation>
        </message>
        <message>
            <source>published {branch} to {remote} ({objects} objects); its upstream is {upstream}</source>
            <translation>{branch} nach {remote} veröffentlicht ({objects} Objekte); sein Upstream ist {upstream}</translation>
        </message>
        <message>
            <source>publishing {branch} to {remote} was rejected: {reason}; nothing changed</source>
            <translation>das Veröffentlichen von {branch} auf {remote} wurde abgelehnt: {reason}; nichts wurde geändert</translation>
        </message>
        <message>
            <source>push rejected twice ({what})</source>
            <translation>Push zweimal abgelehnt ({what})</translation>
        </message>
        <message>
            <source>push.default is 'nothing': git would not push {branch} without a refspec either</source>
            <translation>push.default ist 'nothing': git würde {branch} ohne Refspec auch nicht pushen</translation>
        </message>
        <message>
            <source>push.default is 'simple' and the upstream of {branch} ({upstream}) has another name: git would refuse to push it</source>
            <translation>push.default ist 'simple' und der Upstream von {branch} ({upstream}) heißt anders: git würde das Pushen verweigern</translation>
        </message>
        <message>
            <source>push.default is '{mode}' and {remote} is not the remote {branch} fetches from: git would refuse to push it there</source>
            <translation>push.default ist '{mode}' und {remote} ist nicht das Remote, von dem {branch} abruft: git würde das Pushen dorthin verweigern</translation>
        </message>
        <message>
            <source>pushed {branches} ({objects} objects)</source>
            <translation>{branches} gepusht ({objects} Objekte)</translation>
        </message>
        <message>
            <source>pushing</source>
            <translation>Pushen</translation>
        </message>
        <message>
            <source>pushing to {remote} failed: {reason}</source>
            <translation>Pushen nach {remote} fehlgeschlagen: {reason}</translation>
        </message>
        <message>
            <source>reading its settings</source>
            <translation>Lesen seiner Einstellungen</translation>
        </message>
        <message>
            <source>rebased {branches}</source>
            <translation>{branches} per Rebase aktualisiert</translation>
        </message>
        <message>
            <source>recording</source>
            <translation>Speichern</translation>
        </message>
        <message>
            <source>refusing to update the branch checked out in the remote's working tree</source>
            <translation>der im Arbeitsverzeichnis des Remotes ausgecheckte Branch wird nicht aktualisiert</translation>
        </message>
        <message>
            <source>remote {action} needs a URL</source>
            <translation>remote {action} braucht eine URL</translation>
        </message>
        <message>
            <source>remote {name} already exists</source>
            <translation>Remote {name} existiert schon</translation>
        </message>
        <message>
            <source>remote {remote}'s fetch refspecs do not track {ref}: add one (git config --add {key} ...) to publish {branch} there</source>
            <translation>die Abruf-Refspecs von Remote {remote} verfolgen {ref} nicht: füge eine hinzu (git config --add {key} ...), um {branch} dort zu veröffentlichen</translation>
        </message>
        <message>
            <source>remote {remote}'s fetch refspecs do not track {ref}: add one (git config --add {key} ...) to push {branch} there</source>
            <translation>die Abruf-Refspecs von Remote {remote} verfolgen {ref} nicht: füge eine hinzu (git config --add {key} ...), um {branch} dorthin zu pushen</translation>
        </message>
        <message>
            <source>repository not found at {path} (moved or deleted?)</source>
            <translation>Repository nicht gefunden unter {path} (verschoben oder gelöscht?)</translation>
        </message>
        <message>
            <source>resolve any conflict and run git am --continue, or git am --abort to undo it</source>
            <translation>löse jeden Konflikt und führe git am --continue aus, oder git am --abort, um ihn rückgängig zu machen</translation>
        </message>
        <message>
            <source>resolve any conflict and run git rebase --continue, or git rebase --abort to undo it</source>
            <translation>löse jeden Konflikt und führe git rebase --continue aus, oder git rebase --abort, um ihn rückgängig zu machen</translation>
        </message>
        <message>
            <source>resolve them with git (fix them, then git add or git rm)</source>
            <translation>löse sie mit git (korrigieren, dann git add oder git rm)</translation>
        </message>
        <message>
            <source>safecrlf</source>
            <translation>Zeilenenden (safecrlf)</translation>
        </message>
        <message>
            <source>set push.default to push it (git config push.default simple)</source>
            <translation>setze push.default, um ihn zu pushen (git config push.default simple)</translation>
        </message>
        <message>
            <source>several remotes ({names}) and none is named origin: say which with --remote</source>
            <translation>mehrere Remotes ({names}) und keines heißt origin: nenne eines mit --remote</translation>
        </message>
        <message>
            <source>several remotes ({names}) and none is named origin: say which with git config remote.pushDefault NAME</source>
            <translation>mehrere Remotes ({names}) und keines heißt origin: nenne eines mit git config remote.pushDefault NAME</translation>
        </message>
        <message>
            <source>shallow update not allowed: this shallow clone lacks history the remote lacks too ({command} first)</source>
            <translation>flache Aktualisierung nicht erlaubt: diesem flachen Klon fehlt Historie, die auch dem Remote fehlt (zuerst {command})</translation>
        </message>
        <message>
            <source>signed in as {user}, kept in memory until {holder} quits</source>
            <translation>angemeldet als {user}, im Speicher behalten, bis {holder} beendet wird</translation>
        </message>
        <message>
            <source>signed in as {user}, kept in memory until {holder} quits, then {helpers}</source>
            <translation>angemeldet als {user}, im Speicher behalten, bis {holder} beendet wird, danach {helpers}</translation>
        </message>
        <message>
            <source>signed in by ssh (your agent or key files)</source>
            <translation>von ssh angemeldet (dein Agent oder deine Schlüsseldateien)</translation>
        </message>
        <message>
            <source>signed in with the key {key} (its passphrase as typed this session)</source>
            <translation>mit dem Schlüssel {key} angemeldet (seine Passphrase wie in dieser Sitzung eingegeben)</translation>
        </message>
        <message>
            <source>signed in {how}</source>
            <translation>angemeldet {how}</translation>
        </message>
        <message>
            <source>ssh through {source} ({command})</source>
            <translation>ssh über {source} ({command})</translation>
        </message>
        <message>
            <source>starting</source>
            <translation>Starten</translation>
        </message>
        <message>
            <source>submodule {path} not updated: {why}</source>
            <translation>Submodul {path} nicht aktualisiert: {why}</translation>
        </message>
        <message>
            <source>tag {tag} moved on the remote (to {commit}): the local one is kept, as git fetch keeps it without --force</source>
            <translation>Tag {tag} wurde auf dem Remote verschoben (auf {commit}): der lokale bleibt, wie git ihn beim Abrufen ohne --force behält</translation>
        </message>
        <message>
            <source>tag {tag} not pushed to {remote}: {reason}</source>
            <translation>Tag {tag} nicht zu {remote} gepusht: {reason}</translation>
        </message>
        <message>
            <source>the Gitferry app (pid {pid})</source>
            <translation>die Gitferry-App (PID {pid})</translation>
        </message>
        <message>
            <source>the LFS server refused the credentials</source>
            <translation>der LFS-Server hat die Zugangsdaten abgelehnt</translation>
        </message>
        <message>
            <source>the LFS server requires credentials (none are stored)</source>
            <translation>der LFS-Server verlangt Zugangsdaten (keine gespeichert)</translation>
        </message>
        <message>
            <source>the LFS server: {reason}</source>
            <translation>der LFS-Server: {reason}</translation>
        </message>
        <message numerus="yes">
            <source>the SSH agent (%n key(s))</source>
            <translation>
                <numerusform>der SSH-Agent (%n Schlüssel)</numerusform>
                <numerusform>der SSH-Agent (%n Schlüssel)</numerusform>
            </translation>
        </message>
        <message>
            <source>the askpass program {program} gave no answer</source>
            <translation>das Askpass-Programm {program} gab keine Antwort</translation>
        </message>
        <message>
            <source>the host name could not be resolved</source>
            <translation>der Hostname konnte nicht aufgelöst werden</translation>
        </message>
        <message>
            <source>the host name is empty or starts with '-'</source>
            <translation>der Hostname ist leer oder beginnt mit '-'</translation>
        </message>
        <message>
            <source>the index has unmerged paths ({marker})</source>
            <translation>der Index hat nicht zusammengeführte Pfade ({marker})</translation>
        </message>
        <message>
            <source>the index has unresolved conflicts</source>
            <translation>der Index hat ungelöste Konflikte</translation>
        </message>
        <message>
            <source>the keyring (user {user})</source>
            <translation>der Schlüsselbund (Benutzer {user})</translation>
        </message>
        <message>
            <source>the keyring backend {setting} cannot be loaded</source>
            <translation>das Schlüsselbund-Backend {setting} kann nicht geladen werden</translation>
        </message>
        <message>
            <source>the local branch does not exist</source>
            <translation>der lokale Branch existiert nicht</translation>
        </message>
        <message>
            <source>the password in the URL</source>
            <translation>das Passwort in der URL</translation>
        </message>
        <message>
            <source>the port must be a number from 0 to 65535</source>
            <translation>der Port muss eine Zahl von 0 bis 65535 sein</translation>
        </message>
        <message>
            <source>the proxy URL has no host</source>
            <translation>die Proxy-URL hat keinen Host</translation>
        </message>
        <message>
            <source>the proxy closed the connection (can it reach the remote?)</source>
            <translation>der Proxy hat die Verbindung geschlossen (erreicht er das Remote?)</translation>
        </message>
        <message>
            <source>the proxy is unreachable: {why}</source>
            <translation>der Proxy ist nicht erreichbar: {why}</translation>
        </message>
        <message>
            <source>the proxy refused the connection ({status}); its user and password go in http.proxy's URL</source>
            <translation>der Proxy hat die Verbindung abgelehnt ({status}); Benutzer und Passwort gehören in die URL von http.proxy</translation>
        </message>
        <message>
            <source>the proxy refused to connect to the remote ({status})</source>
            <translation>der Proxy hat die Verbindung zum Remote abgelehnt ({status})</translation>
        </message>
        <message>
            <source>the proxy requires credentials (give them in http.proxy's URL)</source>
            <translation>der Proxy verlangt Zugangsdaten (gib sie in der URL von http.proxy an)</translation>
        </message>
        <message>
            <source>the push to {remote}</source>
            <translation>das Pushen nach {remote}</translation>
        </message>
        <message>
            <source>the remote advertised a ref with an invalid name {name}: ignored</source>
            <translation>das Remote bot eine Ref mit ungültigem Namen {name} an: ignoriert</translation>
        </message>
        <message>
            <source>the remote deleted it, so there is one version, not two to keep: --mine keeps the file, --theirs deletes it</source>
            <translation>das Remote hat sie gelöscht, es gibt also eine Fassung, nicht zwei zum Behalten: --mine behält die Datei, --theirs löscht sie</translation>
        </message>
        <message>
            <source>the remote did not report on this ref</source>
            <translation>das Remote hat zu diesem Ref nichts gemeldet</translation>
        </message>
        <message>
            <source>the scheme is mistyped; did you mean {url}?</source>
            <translation>das Schema ist vertippt; meintest du {url}?</translation>
        </message>
        <message>
            <source>the scheme is not valid</source>
            <translation>das Schema ist ungültig</translation>
        </message>
        <message>
            <source>the server refused the credentials</source>
            <translation>der Server hat die Zugangsdaten abgelehnt</translation>
        </message>
        <message>
            <source>the server refused the credentials ({what})</source>
            <translation>der Server hat die Zugangsdaten abgelehnt ({what})</translation>
        </message>
        <message>
            <source>the server requires credentials (none are stored)</source>
            <translation>der Server verlangt Zugangsdaten (keine gespeichert)</translation>
        </message>
        <message>
            <source>the server requires credentials and none are stored (keyring, git's credential helpers)</source>
            <translation>der Server verlangt Zugangsdaten und keine sind gespeichert (Schlüsselbund, git-Zugangsdaten-Helfer)</translation>
        </message>
        <message>
            <source>the server requires credentials and none were given</source>
            <translation>der Server verlangt Zugangsdaten und keine wurden angegeben</translation>
        </message>
        <message>
            <source>the server requires credentials; {notes}</source>
            <translation>der Server verlangt Zugangsdaten; {notes}</translation>
        </message>
        <message>
            <source>the sign-in was cancelled</source>
            <translation>die Anmeldung wurde abgebrochen</translation>
        </message>
        <message>
            <source>the system keyring failed (the log has the details)</source>
            <translation>der Schlüsselbund des Systems ist fehlgeschlagen (Details im Protokoll)</translation>
        </message>
        <message>
            <source>the system keyring is locked</source>
            <translation>der Schlüsselbund des Systems ist gesperrt</translation>
        </message>
        <message>
            <source>the {hook} hook refused {what}: {said}</source>
            <translation>der {hook}-Hook lehnte {what} ab: {said}</translation>
        </message>
        <message>
            <source>there is no system keyring</source>
            <translation>es gibt keinen Schlüsselbund des Systems</translation>
        </message>
        <message>
            <source>this computer deleted it, so there is one version, not two to keep: --theirs takes the remote's back, --mine leaves it deleted</source>
            <translation>dieser Computer hat sie gelöscht, es gibt also eine Fassung, nicht zwei zum Behalten: --theirs bringt die des Remotes zurück, --mine lässt sie gelöscht</translation>
        </message>
        <message>
            <source>timed out waiting for the remote</source>
            <translation>Zeitüberschreitung beim Warten auf das Remote</translation>
        </message>
        <message>
            <source>to be moved by a rebase</source>
            <translation>wird von einem Rebase verschoben</translation>
        </message>
        <message>
            <source>too large</source>
            <translation>zu groß</translation>
        </message>
        <message>
            <source>tracked branches: give at least one branch name, none empty</source>
            <translation>verfolgte Branches: gib mindestens einen Branch-Namen an, keinen leeren</translation>
        </message>
        <message>
            <source>try again, or give it through a git credential helper</source>
            <translation>versuche es erneut oder gib es über einen git-Zugangsdaten-Helfer an</translation>
        </message>
        <message>
            <source>unexpected error while {step}: {error}</source>
            <translation>unerwarteter Fehler beim {step}: {error}</translation>
        </message>
        <message>
            <source>unknown remote action {action} (known: {known})</source>
            <translation>unbekannte Remote-Aktion {action} (bekannt: {known})</translation>
        </message>
        <message>
            <source>unknown setting {key} (known: {known})</source>
            <translation>unbekannte Einstellung {key} (bekannt: {known})</translation>
        </message>
        <message>
            <source>unlock it and try again</source>
            <translation>entsperre ihn und versuche es erneut</translation>
        </message>
        <message>
            <source>unmerged paths</source>
            <translation>nicht zusammengeführte Pfade</translation>
        </message>
        <message>
            <source>unreadable</source>
            <translation>nicht lesbar</translation>
        </message>
        <message>
            <source>unsupported filter</source>
            <translation>Filter läuft hier nicht</translation>
        </message>
        <message>
            <source>unsupported transport {scheme}{hint}</source>
            <translation>nicht unterstütztes Transportprotokoll {scheme}{hint}</translation>
        </message>
        <message>
            <source>untracked files are in the way: {untracked}</source>
            <translation>unversionierte Dateien sind im Weg: {untracked}</translation>
        </message>
        <message>
            <source>up to date</source>
            <translation>aktuell</translation>
        </message>
        <message>
            <source>updated submodule {paths}</source>
            <translation>Submodul {paths} aktualisiert</translation>
        </message>
        <message>
            <source>updated submodules {paths}</source>
            <translation>Submodule {paths} aktualisiert</translation>
        </message>
        <message>
            <source>updating submodules</source>
            <translation>Aktualisieren der Submodule</translation>
        </message>
        <message>
            <source>warning: {remote}'s certificate is not checked (http.sslVerify is false)</source>
            <translation>Warnung: das Zertifikat von {remote} wird nicht geprüft (http.sslVerify ist false)</translation>
        </message>
        <message numerus="yes">
            <source>{branch} (%n commit(s))</source>
            <translation>
                <numerusform>{branch} (%n Commit)</numerusform>
                <numerusform>{branch} (%n Commits)</numerusform>
            </translation>
        </message>
        <message>
            <source>{branch} and {upstream} have diverged; ff-only leaves {branch} as it is</source>
            <translation>{branch} und {upstream} sind abgewichen; ff-only lässt {branch}, wie er ist</translation>
        </message>
        <message>
            <source>{branch} has no upstream: there is nothing to merge</source>
            <translation>{branch} hat keinen Upstream: es gibt nichts zu mergen</translation>
        </message>
        <message>
            <source>{branch} has not diverged from {upstream}: there is nothing to resolve</source>
            <translation>{branch} ist nicht von {upstream} abgewichen: es gibt nichts aufzulösen</translation>
        </message>
        <message>
            <source>{branch} is not checked out (it was integrated, {current} is checked out now)</source>
            <translation>{branch} ist nicht ausgecheckt (er wurde integriert, jetzt ist {current} ausgecheckt)</translation>
        </message>
        <message>
            <source>{branch} moved since its conflicts were being resolved: abort the resolution and start again</source>
            <translation>{branch} hat sich bewegt, seit seine Konflikte aufgelöst werden: brich die Auflösung ab und beginne neu</translation>
        </message>
        <message>
            <source>{branch} moved since the integration (now {commit})</source>
            <translation>{branch} hat sich seit der Integration bewegt (jetzt {commit})</translation>
        </message>
        <message>
            <source>{branch} moved while committing</source>
            <translation>{branch} hat sich während des Committens bewegt</translation>
        </message>
        <message>
            <source>{branch} up to date with {upstream}</source>
            <translation>{branch} ist auf demselben Stand wie {upstream}</translation>
        </message>
        <message numerus="yes">
            <source>{branch}: %n ahead</source>
            <translation>
                <numerusform>{branch}: %n voraus</numerusform>
                <numerusform>{branch}: %n voraus</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>{branch}: %n ahead, checked out in {path}</source>
            <translation>
                <numerusform>{branch}: %n voraus, ausgecheckt in {path}</numerusform>
                <numerusform>{branch}: %n voraus, ausgecheckt in {path}</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>{branch}: %n ahead, held by a rebase or bisect in {path}</source>
            <translation>
                <numerusform>{branch}: %n voraus, von Rebase oder Bisect in {path} gehalten</numerusform>
                <numerusform>{branch}: %n voraus, von Rebase oder Bisect in {path} gehalten</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>{branch}: %n ahead, not checked out</source>
            <translation>
                <numerusform>{branch}: %n voraus, nicht ausgecheckt</numerusform>
                <numerusform>{branch}: %n voraus, nicht ausgecheckt</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>{branch}: %n behind</source>
            <translation>
                <numerusform>{branch}: %n zurück</numerusform>
                <numerusform>{branch}: %n zurück</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>{branch}: %n behind, checked out in {path}</source>
            <translation>
                <numerusform>{branch}: %n zurück, ausgecheckt in {path}</numerusform>
                <numerusform>{branch}: %n zurück, ausgecheckt in {path}</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>{branch}: %n behind, held by a rebase or bisect in {path}</source>
            <translation>
                <numerusform>{branch}: %n zurück, von Rebase oder Bisect in {path} gehalten</numerusform>
                <numerusform>{branch}: %n zurück, von Rebase oder Bisect in {path} gehalten</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>{branch}: %n behind, not checked out</source>
            <translation>
                <numerusform>{branch}: %n zurück, nicht ausgecheckt</numerusform>
                <numerusform>{branch}: %n zurück, nicht ausgecheckt</numerusform>
            </translation>
        </message>
        <message>
            <source>{branch}: integrating {upstream} conflicts in {paths}; nothing was changed</source>
            <translation>{branch}: das Integrieren von {upstream} ergibt Konflikte in {paths}; nichts wurde geändert</translation>
        </message>
        <message>
            <source>{branch}: local changes stashed and re-applied after the move ({setting}), as git pull does</source>
            <translation>{branch}: lokale Änderungen per Stash beiseitegelegt und nach dem Verschieben wieder angewendet ({setting}), wie git pull es tut</translation>
        </message>
        <message>
            <source>{branch}: local changes stashed and re-applied after the move ({setting}), as git pull does; what was staged is unstaged</source>
            <translation>{branch}: lokale Änderungen per Stash beiseitegelegt und nach dem Verschieben wieder angewendet ({setting}), wie git pull es tut; Vorgemerktes ist nicht mehr vorgemerkt</translation>
        </message>
        <message numerus="yes">
            <source>{branch}: merged, %n conflict(s) resolved</source>
            <translation>
                <numerusform>{branch}: zusammengeführt, %n Konflikt gelöst</numerusform>
                <numerusform>{branch}: zusammengeführt, %n Konflikte gelöst</numerusform>
            </translation>
        </message>
        <message>
            <source>{branch}: not integrated: it is also {use}</source>
            <translation>{branch}: nicht integriert: er ist auch {use}</translation>
        </message>
        <message>
            <source>{branch}: not pushed: {why}</source>
            <translation>{branch}: nicht gepusht: {why}</translation>
        </message>
        <message numerus="yes">
            <source>{branch}: rebased, %n conflict(s) resolved</source>
            <translation>
                <numerusform>{branch}: per Rebase neu aufgesetzt, %n Konflikt gelöst</numerusform>
                <numerusform>{branch}: per Rebase neu aufgesetzt, %n Konflikte gelöst</numerusform>
            </translation>
        </message>
        <message>
            <source>{branch}: undid the last integration (back to {commit})</source>
            <translation>{branch}: letzte Integration rückgängig gemacht (zurück auf {commit})</translation>
        </message>
        <message>
            <source>{branch}: {ahead} ahead, {behind} behind</source>
            <translation>{branch}: {ahead} voraus, {behind} zurück</translation>
        </message>
        <message>
            <source>{branch}: {operation}: {advice}</source>
            <translation>{branch}: {operation}: {advice}</translation>
        </message>
        <message>
            <source>{branch}: {reason}</source>
            <translation>{branch}: {reason}</translation>
        </message>
        <message>
            <source>{choice} is not a choice: {choices}</source>
            <translation>{choice} ist keine Wahl: {choices}</translation>
        </message>
        <message>
            <source>{clash}: a file against a directory cannot be resolved here; use git</source>
            <translation>{clash}: eine Datei gegen einen Ordner lässt sich hier nicht auflösen; nimm git</translation>
        </message>
        <message>
            <source>{command} is running in {path} (its editor still open?); nothing was changed: the sync waits for it</source>
            <translation>{command} läuft in {path} (ist sein Editor noch offen?); nichts wurde geändert: die Synchronisierung wartet darauf</translation>
        </message>
        <message numerus="yes">
            <source>{deleted}: %n local commit(s) on {branch} (is|are) published nowhere</source>
            <translation>
                <numerusform>{deleted}: %n lokaler Commit auf {branch} ist nirgends veröffentlicht</numerusform>
                <numerusform>{deleted}: %n lokale Commits auf {branch} sind nirgends veröffentlicht</numerusform>
            </translation>
        </message>
        <message>
            <source>{deleted}: {branch} is pushed nowhere until its upstream is changed</source>
            <translation>{deleted}: {branch} wird nirgends gepusht, bis sein Upstream geändert ist</translation>
        </message>
        <message>
            <source>{error}: if it moved, `gitferry add NEWPATH --name {name}` follows it (its settings kept); if it was deleted, `gitferry remove {name}` forgets it</source>
            <translation>{error}: wurde es verschoben, folgt ihm `gitferry add NEUER_PFAD --name {name}` (seine Einstellungen bleiben); wurde es gelöscht, vergisst es `gitferry remove {name}`</translation>
        </message>
        <message>
            <source>{file} is from a newer Gitferry (schema {found}; this one knows {known}): upgrade Gitferry, or move {path} aside to start afresh</source>
            <translation>{file} stammt von einem neueren Gitferry (Schema {found}; dieses kennt {known}): aktualisiere Gitferry, oder schiebe {path} beiseite, um neu anzufangen</translation>
        </message>
        <message>
            <source>{first}, then {then}</source>
            <translation>{first}, dann {then}</translation>
        </message>
        <message>
            <source>{first}; {then}</source>
            <translation>{first}; {then}</translation>
        </message>
        <message>
            <source>{folder} is a git repository already: add it instead</source>
            <translation>{folder} ist schon ein git-Repository: füge es stattdessen hinzu</translation>
        </message>
        <message>
            <source>{folder} is empty: put the files to sync in it first</source>
            <translation>{folder} ist leer: lege zuerst die zu synchronisierenden Dateien hinein</translation>
        </message>
        <message>
            <source>{folder}/state.json is damaged: abort the resolution</source>
            <translation>{folder}/state.json ist beschädigt: brich die Auflösung ab</translation>
        </message>
        <message>
            <source>{folder}: no such folder</source>
            <translation>{folder}: kein solcher Ordner</translation>
        </message>
        <message>
            <source>{folder}: nothing could be committed ({why})</source>
            <translation>{folder}: nichts konnte committet werden ({why})</translation>
        </message>
        <message>
            <source>{folder}: {why}</source>
            <translation>{folder}: {why}</translation>
        </message>
        <message>
            <source>{key} = {value} in the git config: expected {expected}</source>
            <translation>{key} = {value} in der git-Konfiguration: erwartet {expected}</translation>
        </message>
        <message>
            <source>{listed} and {more} more</source>
            <translation>{listed} und {more} weitere</translation>
        </message>
        <message>
            <source>{local}'s commits replay on {remote} without conflict now: sync it</source>
            <translation>die Commits von {local} lassen sich jetzt ohne Konflikt auf {remote} neu anwenden: synchronisiere</translation>
        </message>
        <message>
            <source>{name} is '{value}', not {wanted}: git refuses to merge with it too</source>
            <translation>{name} ist '{value}', nicht {wanted}: auch git verweigert damit den Merge</translation>
        </message>
        <message>
            <source>{operation}: {advice}</source>
            <translation>{operation}: {advice}</translation>
        </message>
        <message>
            <source>{path} does not exist</source>
            <translation>{path} existiert nicht</translation>
        </message>
        <message>
            <source>{path} is a bare repository (Gitferry syncs working trees)</source>
            <translation>{path} ist ein Bare-Repository (Gitferry synchronisiert Arbeitsverzeichnisse)</translation>
        </message>
        <message>
            <source>{path} is a directory or a submodule on one side: use mine, theirs or keep both</source>
            <translation>{path} ist auf einer Seite ein Ordner oder ein Submodul: nimm Meine, Ihre oder Beide behalten</translation>
        </message>
        <message>
            <source>{path} is a partial clone ({setting}, made by git clone --filter), which Gitferry does not support: clone it again without --filter</source>
            <translation>{path} ist ein partieller Klon ({setting}, von git clone --filter angelegt), den Gitferry nicht unterstützt: klone es erneut ohne --filter</translation>
        </message>
        <message>
            <source>{path} is locked by another git process; nothing was changed</source>
            <translation>{path} ist von einem anderen git-Prozess gesperrt; nichts wurde geändert</translation>
        </message>
        <message>
            <source>{path} is not a conflicted path of {branch}</source>
            <translation>{path} ist kein Pfad mit Konflikt in {branch}</translation>
        </message>
        <message>
            <source>{path} is not a directory</source>
            <translation>{path} ist kein Ordner</translation>
        </message>
        <message>
            <source>{path} is not a git repository</source>
            <translation>{path} ist kein git-Repository</translation>
        </message>
        <message>
            <source>{path} is not a git repository: it is a folder of the one at {parent}, which can be added</source>
            <translation>{path} ist kein git-Repository: es ist ein Ordner des Repositorys in {parent}, das hinzugefügt werden kann</translation>
        </message>
        <message>
            <source>{path} still has conflict markers (in {file})</source>
            <translation>{path} hat noch Konfliktmarkierungen (in {file})</translation>
        </message>
        <message>
            <source>{path} uses the git extension extensions.{extension}, which Gitferry does not support</source>
            <translation>{path} nutzt die git-Erweiterung extensions.{extension}, die Gitferry nicht unterstützt</translation>
        </message>
        <message>
            <source>{path}: .git/config cannot be read ({why}); fix it with a text editor</source>
            <translation>{path}: .git/config ist nicht lesbar ({why}); korrigiere sie mit einem Texteditor</translation>
        </message>
        <message>
            <source>{path}: Git LFS object missing ({why}); its pointer is checked out</source>
            <translation>{path}: Git-LFS-Objekt fehlt ({why}); sein Pointer ist ausgecheckt</translation>
        </message>
        <message>
            <source>{path}: a conflict's Finish is running ({who})</source>
            <translation>{path}: ein Abschließen eines Konflikts läuft ({who})</translation>
        </message>
        <message>
            <source>{path}: a publish is running ({who})</source>
            <translation>{path}: ein Veröffentlichen läuft ({who})</translation>
        </message>
        <message>
            <source>{path}: a sync is running</source>
            <translation>{path}: eine Synchronisierung läuft</translation>
        </message>
        <message>
            <source>{path}: a sync is running ({who})</source>
            <translation>{path}: eine Synchronisierung läuft ({who})</translation>
        </message>
        <message>
            <source>{path}: an Undo is running ({who})</source>
            <translation>{path}: ein Rückgängigmachen läuft ({who})</translation>
        </message>
        <message>
            <source>{path}: an interrupted switch has not been finished yet</source>
            <translation>{path}: ein unterbrochener Wechsel ist noch nicht abgeschlossen</translation>
        </message>
        <message>
            <source>{path}: another sync is running</source>
            <translation>{path}: eine andere Synchronisierung läuft</translation>
        </message>
        <message>
            <source>{path}: another sync is running ({who})</source>
            <translation>{path}: eine andere Synchronisierung läuft ({who})</translation>
        </message>
        <message>
            <source>{path}: its merged file is missing; choose again</source>
            <translation>{path}: seine gemergte Datei fehlt; wähle erneut</translation>
        </message>
        <message>
            <source>{path}: not auto-committing: {why}</source>
            <translation>{path}: kein automatischer Commit: {why}</translation>
        </message>
        <message>
            <source>{path}: {error}</source>
            <translation>{path}: {error}</translation>
        </message>
        <message>
            <source>{path}: {how}; nothing was chosen</source>
            <translation>{path}: {how}; nichts wurde gewählt</translation>
        </message>
        <message>
            <source>{path}: {why}; nothing was chosen for it</source>
            <translation>{path}: {why}; nichts wurde dafür gewählt</translation>
        </message>
        <message>
            <source>{reason} ({messages})</source>
            <translation>{reason} ({messages})</translation>
        </message>
        <message>
            <source>{reason}, by {remote}</source>
            <translation>{reason}, von {remote}</translation>
        </message>
        <message>
            <source>{reason}: nothing changed</source>
            <translation>{reason}: nichts wurde geändert</translation>
        </message>
        <message>
            <source>{ref} already has {branch}'s head (pushed since, or fast-forwarded to it)</source>
            <translation>{ref} hat den Stand von {branch} schon (seitdem gepusht oder per Fast-Forward dorthin nachgezogen)</translation>
        </message>
        <message>
            <source>{ref} is not the checked-out branch</source>
            <translation>{ref} ist nicht der ausgecheckte Branch</translation>
        </message>
        <message>
            <source>{ref} moved to {now} (expected {was}) by someone else; nothing changed</source>
            <translation>{ref} wurde von jemand anderem auf {now} bewegt (erwartet: {was}); nichts wurde geändert</translation>
        </message>
        <message>
            <source>{remote} is a folder on this computer ({url}): it takes no user name or password</source>
            <translation>{remote} ist ein Ordner auf diesem Computer ({url}): er nimmt keinen Benutzernamen und kein Passwort</translation>
        </message>
        <message>
            <source>{remote} is not empty (it has {held}): only an empty remote can take a new history; clone it instead, or make a new, empty repository there</source>
            <translation>{remote} ist nicht leer (es hat {held}): nur ein leeres Remote kann eine neue Historie aufnehmen; klone es stattdessen, oder lege dort ein neues, leeres Repository an</translation>
        </message>
        <message>
            <source>{remote} is unreachable: {reason}</source>
            <translation>{remote} ist nicht erreichbar: {reason}</translation>
        </message>
        <message>
            <source>{remote} uses git://, which takes no user name or password</source>
            <translation>{remote} nutzt git://, das keinen Benutzernamen und kein Passwort nimmt</translation>
        </message>
        <message>
            <source>{remote} uses ssh, not HTTP(S): ssh signs in with your agent and keys</source>
            <translation>{remote} nutzt ssh, nicht HTTP(S): ssh meldet sich mit deinem Agenten und deinen Schlüsseln an</translation>
        </message>
        <message>
            <source>{remote}'s Git LFS server {url} ({source}) is unreachable: {reason}</source>
            <translation>der Git-LFS-Server {url} von {remote} ({source}) ist nicht erreichbar: {reason}</translation>
        </message>
        <message>
            <source>{remote}: Git LFS download failed: {reason}</source>
            <translation>{remote}: Git-LFS-Download fehlgeschlagen: {reason}</translation>
        </message>
        <message>
            <source>{remote}: Git LFS upload failed: {reason}</source>
            <translation>{remote}: Git-LFS-Upload fehlgeschlagen: {reason}</translation>
        </message>
        <message>
            <source>{remote}: the password is kept in memory only until {holder} quits ({why}): background fetches sign in with it until then; to keep it longer, {fix}</source>
            <translation>{remote}: das Passwort wird nur im Speicher behalten, bis {holder} beendet wird ({why}): Abrufe im Hintergrund melden sich bis dahin damit an; um es länger zu behalten: {fix}</translation>
        </message>
        <message>
            <source>{remote}: the password was not kept ({why}): background fetches cannot sign in; {fix}</source>
            <translation>{remote}: das Passwort wurde nicht behalten ({why}): Abrufe im Hintergrund können sich nicht anmelden; {fix}</translation>
        </message>
        <message>
            <source>{remote}: {reason}</source>
            <translation>{remote}: {reason}</translation>
        </message>
        <message>
            <source>{said} (folder deleted: `git worktree prune` releases it)</source>
            <translation>{said} (Ordner gelöscht: `git worktree prune` gibt ihn frei)</translation>
        </message>
        <message>
            <source>{said}; gitferry publish {repo} {branch} pushes it again, or git branch -u sets another upstream</source>
            <translation>{said}; gitferry publish {repo} {branch} pusht ihn erneut, oder git branch -u setzt einen anderen Upstream</translation>
        </message>
        <message>
            <source>{scheme} proxies are not supported (http, https and socks are)</source>
            <translation>{scheme}-Proxys werden nicht unterstützt (http, https und socks schon)</translation>
        </message>
        <message>
            <source>{setting} has several values (git pushes to each): change them with {command}; nothing changed</source>
            <translation>{setting} hat mehrere Werte (git pusht zu jedem): ändere sie mit {command}; nichts wurde geändert</translation>
        </message>
        <message>
            <source>{setting} is set, but Gitferry cannot stash them: commit or stash your changes, then sync</source>
            <translation>{setting} ist gesetzt, aber Gitferry kann sie nicht per Stash beiseitelegen: committe oder stashe deine Änderungen, dann synchronisiere</translation>
        </message>
        <message>
            <source>{setting} is set, but your changes would conflict with the upstream's once re-applied (git pull would leave them in git stash list): commit them, then sync</source>
            <translation>{setting} ist gesetzt, aber deine Änderungen ergäben beim Wiederanwenden einen Konflikt mit denen des Upstreams (git pull ließe sie in git stash list): committe sie, dann synchronisiere</translation>
        </message>
        <message>
            <source>{ssh}: its own keys and agent</source>
            <translation>{ssh}: seine eigenen Schlüssel und sein Agent</translation>
        </message>
        <message>
            <source>{ssh}: no agent and no key file (ssh -G names none that exists)</source>
            <translation>{ssh}: kein Agent und keine Schlüsseldatei (ssh -G nennt keine, die existiert)</translation>
        </message>
        <message>
            <source>{ssh}: {offered}</source>
            <translation>{ssh}: {offered}</translation>
        </message>
        <message>
            <source>{tool} exited with {status}</source>
            <translation>{tool} endete mit {status}</translation>
        </message>
        <message>
            <source>{tool} left conflict markers in it</source>
            <translation>{tool} hat Konfliktmarkierungen darin gelassen</translation>
        </message>
        <message>
            <source>{tool} left it unchanged</source>
            <translation>{tool} hat sie unverändert gelassen</translation>
        </message>
        <message>
            <source>{upstream} is gone: there is nothing to merge</source>
            <translation>{upstream} ist gelöscht: es gibt nichts zu mergen</translation>
        </message>
        <message>
            <source>{upstream} was deleted on the remote</source>
            <translation>{upstream} wurde auf dem Remote gelöscht</translation>
        </message>
        <message>
            <source>{upstream} was deleted on the remote; the remote's default branch is now {default}</source>
            <translation>{upstream} wurde auf dem Remote gelöscht; der Standard-Branch des Remotes ist jetzt {default}</translation>
        </message>
        <message>
            <source>{upstream} was deleted on the remote; the remote's default branch is {default}</source>
            <translation>{upstream} wurde auf dem Remote gelöscht; der Standard-Branch des Remotes ist {default}</translation>
        </message>
        <message>
            <source>{use} in the worktree at {path}</source>
            <translation>{use} im Worktree unter {path}</translation>
        </message>
        <message>
            <source>{value} is not a boolean</source>
            <translation>{value} ist kein Wahrheitswert</translation>
        </message>
        <message>
            <source>{what} is in progress ({marker})</source>
            <translation>{what} läuft ({marker})</translation>
        </message>
        <message>
            <source>{where} uses {format} object ids, which Gitferry does not support yet</source>
            <translation>{where} nutzt {format}-Objekt-IDs, die Gitferry noch nicht unterstützt</translation>
        </message>
        <message>
            <source>{where}: {value} is not a whole number of 0 or more</source>
            <translation>{where}: {value} ist keine ganze Zahl von 0 oder mehr</translation>
        </message>
        <message>
            <source>{who} already syncs this data directory ({home})</source>
            <translation>{who} synchronisiert diesen Datenordner schon ({home})</translation>
        </message>
        <message>
            <source>{who} is quitting but still syncs this data directory ({home})</source>
            <translation>{who} beendet sich, synchronisiert diesen Datenordner aber noch ({home})</translation>
        </message>
        <message>
            <source>{why} and credential helper {helper} has no password for this server: a sync you start asks for it, and {helper} keeps it</source>
            <translation>{why}, und der Zugangsdaten-Helfer {helper} hat kein Passwort für diesen Server: eine Synchronisierung, die du startest, fragt danach, und {helper} behält es</translation>
        </message>
        <message>
            <source>{why} to keep a password for background fetches: {fix}; a sync you start asks for it</source>
            <translation>{why}, um ein Passwort für Abrufe im Hintergrund zu behalten: {fix}; eine Synchronisierung, die du startest, fragt danach</translation>
        </message>
        <message>
            <source>{why}: {could_not}; {fix}</source>
            <translation>{why}: {could_not}; {fix}</translation>
        </message>
    </context>
    <context>
        <name>EngineTakeOver</name>
        <message>
            <source>Another Gitferry is already syncing this data folder (%1).</source>
            <translation>Ein anderes Gitferry synchronisiert diesen Datenordner bereits (%1).</translation>
        </message>
        <message>
            <source>Gitferry</source>
            <translation>Gitferry</translation>
        </message>
        <message>
            <source>Gitferry cannot start</source>
            <translation>Gitferry kann nicht starten</translation>
        </message>
        <message>
            <source>Gitferry is already running</source>
            <translation>Gitferry läuft bereits</translation>
        </message>
        <message>
            <source>Gitferry is already syncing in the background (gitferry daemon, process %1).</source>
            <translation>Gitferry synchronisiert bereits im Hintergrund (gitferry daemon, Prozess %1).</translation>
        </message>
        <message>
            <source>Only one of them can sync this data folder (%1). Stop the background one and let the app take over, or quit the app. Started by its systemd unit, the background one starts again at your next login.</source>
            <translation>Nur eines von beiden kann diesen Datenordner (%1) synchronisieren. Beenden Sie das im Hintergrund, damit die App übernimmt, oder beenden Sie die App. Wurde das im Hintergrund von seiner systemd-Unit gestartet, startet es bei Ihrer nächsten Anmeldung wieder.</translation>
        </message>
        <message>
            <source>Quit</source>
            <translation>Beenden</translation>
        </message>
        <message>
            <source>Stop it and open Gitferry</source>
            <translation>Beenden und Gitferry öffnen</translation>
        </message>
        <message>
            <source>Stopping the background Gitferry…</source>
            <translation>Gitferry im Hintergrund wird beendet …</translation>
        </message>
        <message>
            <source>The background Gitferry (process %1) did not stop: Gitferry quits.</source>
            <translation>Gitferry im Hintergrund (Prozess %1) hat sich nicht beendet: Gitferry wird beendet.</translation>
        </message>
    </context>
    <context>
        <name>FirstRunPanel</name>
        <message>
            <source>&lt;h2&gt;Nothing is synced yet&lt;/h2&gt;</source>
            <translation>&lt;h2&gt;Noch wird nichts synchronisiert&lt;/h2&gt;</translation>
        </message>
        <message>
            <source>A folder of files that is not a repository yet: Gitferry makes it one, commits its files and pushes them to an empty remote you name.</source>
            <translation>Ein Ordner mit Dateien, der noch kein Repository ist: Gitferry macht eines daraus, committet seine Dateien und pusht sie zu einem leeren Remote, das du angibst.</translation>
        </message>
        <message>
            <source>A folder that already holds a git repository (it has a .git inside).</source>
            <translation>Ein Ordner, der schon ein git-Repository enthält (mit einem .git darin).</translation>
        </message>
        <message>
            <source>Add a folder that is a git repository</source>
            <translation>Einen Ordner hinzufügen, der ein git-Repository ist</translation>
        </message>
        <message>
            <source>Add a folder…</source>
            <translation>Ordner hinzufügen…</translation>
        </message>
        <message>
            <source>Clone a repository from a URL</source>
            <translation>Ein Repository von einer URL klonen</translation>
        </message>
        <message>
            <source>Clone from URL…</source>
            <translation>Von URL klonen…</translation>
        </message>
        <message>
            <source>Copy a remote repository into a new folder and keep it in sync.</source>
            <translation>Ein Remote-Repository in einen neuen Ordner kopieren und synchron halten.</translation>
        </message>
        <message>
            <source>Get started</source>
            <translation>Loslegen</translation>
        </message>
        <message>
            <source>Gitferry keeps git repositories in sync in the background. Start with one:</source>
            <translation>Gitferry hält git-Repositories im Hintergrund synchron. Fang mit einem an:</translation>
        </message>
        <message>
            <source>Start syncing a folder that is not a repository yet</source>
            <translation>Einen Ordner synchronisieren, der noch kein Repository ist</translation>
        </message>
        <message>
            <source>Start syncing a folder…</source>
            <translation>Ordner synchronisieren…</translation>
        </message>
    </context>
    <context>
        <name>FolderNotOpened</name>
        <message>
            <source>Close</source>
            <translation>Schließen</translation>
        </message>
        <message>
            <source>Copied</source>
            <translation>Kopiert</translation>
        </message>
        <message>
            <source>Copy path</source>
            <translation>Pfad kopieren</translation>
        </message>
        <message>
            <source>Copy the folder's path</source>
            <translation>Den Pfad des Ordners kopieren</translation>
        </message>
        <message>
            <source>Could not open the folder</source>
            <translation>Der Ordner ließ sich nicht öffnen</translation>
        </message>
        <message>
            <source>Folder path</source>
            <translation>Pfad des Ordners</translation>
        </message>
        <message>
            <source>No file manager could be started to show this folder (nothing on this system opens folders: xdg-open or a desktop session is missing). Its path:</source>
            <translation>Kein Dateimanager ließ sich starten, um diesen Ordner zu zeigen (nichts auf diesem System öffnet Ordner: xdg-open oder eine Desktop-Sitzung fehlt). Sein Pfad:</translation>
        </message>
    </context>
    <context>
        <name>Formatting</name>
        <message>
            <source>d MMM HH:mm</source>
            <translation>d. MMM HH:mm</translation>
        </message>
        <message>
            <source>d MMM yyyy</source>
            <translation>d. MMM yyyy</translation>
        </message>
        <message>
            <source>never</source>
            <translation>nie</translation>
        </message>
    </context>
    <context>
        <name>HistoryPanel</name>
        <message numerus="yes">
            <source>%n commit(s)</source>
            <translation>
                <numerusform>%n Commit</numerusform>
                <numerusform>%n Commits</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n file(s) changed</source>
            <translation>
                <numerusform>%n Datei geändert</numerusform>
                <numerusform>%n Dateien geändert</numerusform>
            </translation>
        </message>
        <message>
            <source>(these commits are no longer in the repository)</source>
            <translation>(diese Commits sind nicht mehr im Repository)</translation>
        </message>
        <message>
            <source>Came in</source>
            <translation>Empfangen</translation>
        </message>
        <message>
            <source>Cloned</source>
            <translation>Geklont</translation>
        </message>
        <message numerus="yes">
            <source>Committed %n file(s)</source>
            <translation>
                <numerusform>%n Datei committet</numerusform>
                <numerusform>%n Dateien committet</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>Conflicted %n file(s)</source>
            <translation>
                <numerusform>%n Datei im Konflikt</numerusform>
                <numerusform>%n Dateien im Konflikt</numerusform>
            </translation>
        </message>
        <message>
            <source>Conflicts resolved</source>
            <translation>Konflikte gelöst</translation>
        </message>
        <message>
            <source>Fetch</source>
            <translation>Abruf</translation>
        </message>
        <message>
            <source>Files changed</source>
            <translation>Geänderte Dateien</translation>
        </message>
        <message numerus="yes">
            <source>Made here · %1: %n copies of this computer's version (keep both)</source>
            <translation>
                <numerusform>Hier entstanden · %1: %n Kopie der Fassung dieses Computers (beide behalten)</numerusform>
                <numerusform>Hier entstanden · %1: %n Kopien der Fassung dieses Computers (beide behalten)</numerusform>
            </translation>
        </message>
        <message>
            <source>Move the branch back to where it was before the last integration, if it was not pushed since</source>
            <translation>Den Branch auf den Stand vor der letzten Integration zurücksetzen, wenn er seitdem nicht gepusht wurde</translation>
        </message>
        <message>
            <source>No syncs recorded yet.</source>
            <translation>Noch keine Synchronisierung aufgezeichnet.</translation>
        </message>
        <message>
            <source>Not possible now: %1</source>
            <translation>Jetzt nicht möglich: %1</translation>
        </message>
        <message>
            <source>Recent syncs of the selected repository, newest first.</source>
            <translation>Letzte Synchronisierungen des ausgewählten Repositorys, neueste zuerst.</translation>
        </message>
        <message>
            <source>Refresh</source>
            <translation>Aktualisieren</translation>
        </message>
        <message>
            <source>Refresh the history</source>
            <translation>Den Verlauf aktualisieren</translation>
        </message>
        <message numerus="yes">
            <source>Skipped %n file(s)</source>
            <translation>
                <numerusform>%n Datei übersprungen</numerusform>
                <numerusform>%n Dateien übersprungen</numerusform>
            </translation>
        </message>
        <message>
            <source>Started syncing</source>
            <translation>Synchronisierung begonnen</translation>
        </message>
        <message>
            <source>Sync</source>
            <translation>Synchronisierung</translation>
        </message>
        <message>
            <source>Sync history</source>
            <translation>Verlauf der Synchronisierungen</translation>
        </message>
        <message>
            <source>Syncs that found nothing new, or said again what the one before said, are not listed.</source>
            <translation>Synchronisierungen, die nichts Neues fanden oder wiederholten, was die vorige meldete, stehen hier nicht.</translation>
        </message>
        <message>
            <source>The last sync, the list's Last sync, ended at %1.</source>
            <translation>Die letzte (die Spalte „Synchronisiert“ der Liste) endete um %1.</translation>
        </message>
        <message>
            <source>Undo</source>
            <translation>Rückgängig</translation>
        </message>
        <message>
            <source>Undo last integration</source>
            <translation>Letzte Integration rückgängig machen</translation>
        </message>
        <message>
            <source>Undo status</source>
            <translation>Stand des Rückgängigmachens</translation>
        </message>
        <message>
            <source>Undoing the last integration…</source>
            <translation>Letzte Integration wird rückgängig gemacht…</translation>
        </message>
        <message>
            <source>Went out</source>
            <translation>Gesendet</translation>
        </message>
        <message>
            <source>What</source>
            <translation>Was</translation>
        </message>
        <message>
            <source>When</source>
            <translation>Wann</translation>
        </message>
        <message numerus="yes">
            <source>…and %n more commit(s)</source>
            <translation>
                <numerusform>…und %n weiterer Commit</numerusform>
                <numerusform>…und %n weitere Commits</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>…and %n more file(s)</source>
            <translation>
                <numerusform>…und %n weitere Datei</numerusform>
                <numerusform>…und %n weitere Dateien</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>HostKeyDialog</name>
        <message>
            <source>&lt;b&gt;WARNING: the host key of {host} has changed.&lt;/b&gt;&lt;br&gt;Someone may be intercepting the connection to {remote}, or the server was reinstalled. Gitferry refused to connect and accepts nothing here: ask the server's owner, then fix the entry in {file}.</source>
            <translation>&lt;b&gt;WARNUNG: Der Host-Schlüssel von {host} hat sich geändert.&lt;/b&gt;&lt;br&gt;Jemand könnte die Verbindung zu {remote} abfangen, oder der Server wurde neu installiert. Gitferry hat die Verbindung abgelehnt und nimmt hier nichts an: Frag den Betreiber des Servers und korrigiere dann den Eintrag in {file}.</translation>
        </message>
        <message>
            <source>Accept and connect</source>
            <translation>Annehmen und verbinden</translation>
        </message>
        <message>
            <source>Fingerprint sent now:</source>
            <translation>Jetzt gesendeter Fingerabdruck:</translation>
        </message>
        <message>
            <source>Fingerprint:</source>
            <translation>Fingerabdruck:</translation>
        </message>
        <message>
            <source>Host key changed: {host}</source>
            <translation>Host-Schlüssel geändert: {host}</translation>
        </message>
        <message>
            <source>Host:</source>
            <translation>Host:</translation>
        </message>
        <message>
            <source>Key type:</source>
            <translation>Schlüsseltyp:</translation>
        </message>
        <message>
            <source>Unknown host: {host}</source>
            <translation>Unbekannter Host: {host}</translation>
        </message>
        <message>
            <source>ssh has never connected to &lt;b&gt;{host}&lt;/b&gt; (remote {remote}) and cannot tell whether it is the real server. Accept its key only if the fingerprint below is the one the server's owner publishes.</source>
            <translation>ssh war noch nie mit &lt;b&gt;{host}&lt;/b&gt; (Remote {remote}) verbunden und kann nicht erkennen, ob es der echte Server ist. Nimm seinen Schlüssel nur an, wenn der Fingerabdruck unten der ist, den der Betreiber des Servers veröffentlicht.</translation>
        </message>
    </context>
    <context>
        <name>PassphraseDialog</name>
        <message>
            <source>&amp;Passphrase:</source>
            <translation>&amp;Passphrase:</translation>
        </message>
        <message>
            <source>Kept in memory until Gitferry quits, for this key only; never saved.</source>
            <translation>Nur für diesen Schlüssel im Speicher gehalten, bis Gitferry beendet wird; nie gespeichert.</translation>
        </message>
        <message>
            <source>Key passphrase for {remote} on {host}</source>
            <translation>Schlüssel-Passphrase für {remote} auf {host}</translation>
        </message>
        <message>
            <source>That passphrase was not right: ssh asks again for the key &lt;b&gt;{file}&lt;/b&gt;.</source>
            <translation>Diese Passphrase war nicht richtig: ssh fragt noch einmal nach der des Schlüssels &lt;b&gt;{file}&lt;/b&gt;.</translation>
        </message>
        <message>
            <source>To reach &lt;b&gt;{url}&lt;/b&gt; (remote {remote}).</source>
            <translation>Für &lt;b&gt;{url}&lt;/b&gt; (Remote {remote}).</translation>
        </message>
        <message>
            <source>ssh needs the passphrase of the key &lt;b&gt;{file}&lt;/b&gt;.</source>
            <translation>ssh braucht die Passphrase des Schlüssels &lt;b&gt;{file}&lt;/b&gt;.</translation>
        </message>
    </context>
    <context>
        <name>ProgressPanel</name>
        <message>
            <source>Cancel</source>
            <translation>Abbrechen</translation>
        </message>
        <message>
            <source>Cancel the sync</source>
            <translation>Synchronisierung abbrechen</translation>
        </message>
        <message>
            <source>Last sync failed: %1</source>
            <translation>Letzte Synchronisierung fehlgeschlagen: %1</translation>
        </message>
        <message>
            <source>Last sync: %1</source>
            <translation>Zuletzt synchronisiert: %1</translation>
        </message>
        <message>
            <source>Stop this sync; the repository is left as it was before it</source>
            <translation>Diese Synchronisierung stoppen; das Repository bleibt, wie es vorher war</translation>
        </message>
        <message>
            <source>Sync progress</source>
            <translation>Fortschritt der Synchronisierung</translation>
        </message>
    </context>
    <context>
        <name>RemotesEditor</name>
        <message>
            <source>%1 also has the URL %2, unused while it has a push URL</source>
            <translation>%1 hat auch die URL %2, ungenutzt, solange es eine Push-URL hat</translation>
        </message>
        <message>
            <source>%1 also pushes to %2</source>
            <translation>%1 pusht auch zu %2</translation>
        </message>
        <message>
            <source>Add remote</source>
            <translation>Remote hinzufügen</translation>
        </message>
        <message>
            <source>An existing remote keeps its name</source>
            <translation>Ein bestehendes Remote behält seinen Namen</translation>
        </message>
        <message>
            <source>Double-click a URL to edit it; an empty push URL pushes to the fetch URL</source>
            <translation>Doppelklick auf eine URL bearbeitet sie; eine leere Push-URL pusht zur Abruf-URL</translation>
        </message>
        <message>
            <source>Fetch URL</source>
            <translation>Abruf-URL</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>Name</translation>
        </message>
        <message>
            <source>One of several URLs: change them with git remote set-url --add/--delete</source>
            <translation>Eine von mehreren URLs: ändere sie mit git remote set-url --add/--delete</translation>
        </message>
        <message>
            <source>Push URL (optional)</source>
            <translation>Push-URL (optional)</translation>
        </message>
        <message>
            <source>Remotes</source>
            <translation>Remotes</translation>
        </message>
        <message>
            <source>Remove remote</source>
            <translation>Remote entfernen</translation>
        </message>
        <message>
            <source>Several URLs are read-only here: change them with git remote set-url.</source>
            <translation>Mehrere URLs sind hier nur lesbar: ändere sie mit git remote set-url.</translation>
        </message>
        <message>
            <source>a remote needs a name</source>
            <translation>ein Remote braucht einen Namen</translation>
        </message>
        <message>
            <source>bad remote name %1: no spaces, slashes or colons</source>
            <translation>ungültiger Remote-Name %1: keine Leerzeichen, Schrägstriche oder Doppelpunkte</translation>
        </message>
        <message>
            <source>new remote</source>
            <translation>neues Remote</translation>
        </message>
        <message>
            <source>the fetch URL is empty</source>
            <translation>die Abruf-URL ist leer</translation>
        </message>
        <message>
            <source>two remotes are named %1</source>
            <translation>zwei Remotes heißen %1</translation>
        </message>
    </context>
    <context>
        <name>RepoSettingsForm</name>
        <message>
            <source>&amp;Fetch every (seconds):</source>
            <translation>&amp;Abrufintervall (Sekunden):</translation>
        </message>
        <message>
            <source>&amp;Max file size (MiB):</source>
            <translation>&amp;Max. Dateigröße (MiB):</translation>
        </message>
        <message>
            <source>&amp;Other branches:</source>
            <translation>A&amp;ndere Branches:</translation>
        </message>
        <message>
            <source>&amp;Push:</source>
            <translation>&amp;Push:</translation>
        </message>
        <message>
            <source>&amp;Sync:</source>
            <translation>&amp;Synchronisierung:</translation>
        </message>
        <message>
            <source>&amp;Tracked branches:</source>
            <translation>&amp;Verfolgte Branches:</translation>
        </message>
        <message>
            <source>&amp;When diverged:</source>
            <translation>&amp;Bei Abweichung:</translation>
        </message>
        <message>
            <source>All branches of each remote</source>
            <translation>Alle Branches jedes Remotes</translation>
        </message>
        <message>
            <source>As git pull does here</source>
            <translation>Wie git pull es hier tut</translation>
        </message>
        <message>
            <source>As git pull does here (now: %1, %2)</source>
            <translation>Wie git pull es hier tut (derzeit: %1, %2)</translation>
        </message>
        <message>
            <source>Auto-&amp;commit:</source>
            <translation>Auto-&amp;Commit:</translation>
        </message>
        <message>
            <source>Automatic commits, integrates and pushes by itself a few seconds after files change</source>
            <translation>Automatisch committet, integriert und pusht von selbst, wenige Sekunden nachdem sich Dateien ändern</translation>
        </message>
        <message>
            <source>Automatic: sync after every change</source>
            <translation>Automatisch: nach jeder Änderung synchronisieren</translation>
        </message>
        <message>
            <source>Branches that are not checked out move to their upstream when strictly behind</source>
            <translation>Nicht ausgecheckte Branches rücken auf ihren Upstream vor, wenn sie nur zurückliegen</translation>
        </message>
        <message>
            <source>Branches with an upstream</source>
            <translation>Branches mit einem Upstream</translation>
        </message>
        <message>
            <source>Comma-separated branch names</source>
            <translation>Branch-Namen, durch Kommas getrennt</translation>
        </message>
        <message>
            <source>Commit changed files before each sync</source>
            <translation>Geänderte Dateien vor jeder Synchronisierung committen</translation>
        </message>
        <message>
            <source>Every branch that is ahead</source>
            <translation>Jeden Branch, der voraus ist</translation>
        </message>
        <message>
            <source>Fast-forward only (report divergence)</source>
            <translation>Nur Fast-Forward (Abweichung melden)</translation>
        </message>
        <message>
            <source>Fast-forward those that are only behind</source>
            <translation>Die nur zurückliegenden per Fast-Forward nachziehen</translation>
        </message>
        <message>
            <source>Fetch every (seconds)</source>
            <translation>Abrufintervall (Sekunden)</translation>
        </message>
        <message>
            <source>Files bigger than this are left out of auto-commits (MiB, or with a unit: 512k, 50m, 2g)</source>
            <translation>Größere Dateien überspringt der Auto-Commit (MiB, oder mit Einheit: 512k, 50m, 2g)</translation>
        </message>
        <message>
            <source>How often to fetch this repository in the background, in seconds</source>
            <translation>Wie oft dieses Repository im Hintergrund abgerufen wird, in Sekunden</translation>
        </message>
        <message>
            <source>Manual: fetch in the background, I sync</source>
            <translation>Manuell: im Hintergrund abrufen, ich synchronisiere</translation>
        </message>
        <message>
            <source>Max file size (MiB)</source>
            <translation>Max. Dateigröße (MiB)</translation>
        </message>
        <message>
            <source>Merge (keep both histories)</source>
            <translation>Merge (beide Verläufe behalten)</translation>
        </message>
        <message>
            <source>Off: only the checked-out branch is pushed</source>
            <translation>Aus: nur der ausgecheckte Branch wird gepusht</translation>
        </message>
        <message>
            <source>Only these branches:</source>
            <translation>Nur diese Branches:</translation>
        </message>
        <message>
            <source>Rebase my unpushed commits</source>
            <translation>Meine nicht gepushten Commits rebasen</translation>
        </message>
        <message>
            <source>Tracked branch names</source>
            <translation>Namen der verfolgten Branches</translation>
        </message>
        <message>
            <source>What a sync does when local and remote commits diverge</source>
            <translation>Was eine Synchronisierung tut, wenn lokale Commits von denen des Remotes abweichen</translation>
        </message>
        <message>
            <source>Which remote branches a fetch brings in</source>
            <translation>Welche Branches der Remotes ein Abruf übernimmt</translation>
        </message>
        <message>
            <source>bad value %1: expected a size in MiB above 0 and at most %2</source>
            <translation>ungültiger Wert %1: erwartet wird eine Größe in MiB über 0 und höchstens %2</translation>
        </message>
        <message>
            <source>bad value %1: expected a size in MiB, like 50 or 0.5, or with a unit as git takes it (50m, 2g)</source>
            <translation>ungültiger Wert %1: erwartet wird eine Größe in MiB, etwa 50 oder 0.5, oder mit einer Einheit wie bei git (50m, 2g)</translation>
        </message>
        <message>
            <source>fast-forward only</source>
            <translation>nur Fast-Forward</translation>
        </message>
        <message>
            <source>main, release</source>
            <translation>main, release</translation>
        </message>
        <message>
            <source>merge</source>
            <translation>Merge</translation>
        </message>
        <message>
            <source>no branch named %1 in this repository, on this computer or on a remote</source>
            <translation>kein Branch namens %1 in diesem Repository, weder auf diesem Computer noch auf einem Remote</translation>
        </message>
        <message>
            <source>no pull setting in git</source>
            <translation>keine Pull-Einstellung in git</translation>
        </message>
        <message>
            <source>rebase</source>
            <translation>Rebase</translation>
        </message>
        <message>
            <source>set in Gitferry</source>
            <translation>in Gitferry gesetzt</translation>
        </message>
    </context>
    <context>
        <name>RepoView</name>
        <message>
            <source>Compressing</source>
            <translation>Komprimiere</translation>
        </message>
        <message>
            <source>Compressing objects</source>
            <translation>Komprimiere Objekte</translation>
        </message>
        <message>
            <source>Connecting</source>
            <translation>Verbinde</translation>
        </message>
        <message>
            <source>Counting</source>
            <translation>Zähle</translation>
        </message>
        <message>
            <source>Counting objects</source>
            <translation>Zähle Objekte</translation>
        </message>
        <message>
            <source>Fetching…</source>
            <translation>Rufe ab…</translation>
        </message>
        <message>
            <source>Idle</source>
            <translation>Untätig</translation>
        </message>
        <message>
            <source>Indexing</source>
            <translation>Indiziere</translation>
        </message>
        <message>
            <source>Indexing objects</source>
            <translation>Indiziere Objekte</translation>
        </message>
        <message>
            <source>Needs you: %1</source>
            <translation>Braucht dich: %1</translation>
        </message>
        <message>
            <source>Offline</source>
            <translation>Offline</translation>
        </message>
        <message>
            <source>Offline: no remote answers; fetches resume once one does</source>
            <translation>Offline: kein Remote antwortet; das Abrufen geht weiter, sobald eines antwortet</translation>
        </message>
        <message>
            <source>Paused</source>
            <translation>Pausiert</translation>
        </message>
        <message>
            <source>Paused: syncing waits (Resume syncing, or a charged battery)</source>
            <translation>Pausiert: das Synchronisieren wartet (Synchronisieren fortsetzen, oder ein geladener Akku)</translation>
        </message>
        <message>
            <source>Pushing</source>
            <translation>Pushe</translation>
        </message>
        <message>
            <source>Pushing objects</source>
            <translation>Pushe Objekte</translation>
        </message>
        <message>
            <source>Receiving</source>
            <translation>Empfange</translation>
        </message>
        <message>
            <source>Receiving objects</source>
            <translation>Empfange Objekte</translation>
        </message>
        <message>
            <source>Resolving</source>
            <translation>Löse auf</translation>
        </message>
        <message>
            <source>Resolving deltas</source>
            <translation>Löse Deltas auf</translation>
        </message>
        <message>
            <source>Stopped</source>
            <translation>Gestoppt</translation>
        </message>
        <message>
            <source>Syncing…</source>
            <translation>Synchronisiere…</translation>
        </message>
        <message>
            <source>The last sync, a background check included, ended at %1; how it ended is under Result. History lists only the syncs that brought, sent or said something new.</source>
            <translation>Die letzte Synchronisierung, eine Prüfung im Hintergrund eingeschlossen, endete um %1; wie sie endete, steht unter „Ergebnis“. Der Verlauf listet nur Synchronisierungen, die etwas Neues holten, sendeten oder meldeten.</translation>
        </message>
        <message>
            <source>Tripped</source>
            <translation>Ausgesetzt</translation>
        </message>
        <message>
            <source>Tripped: a remote keeps failing; background fetch leaves it out for a while</source>
            <translation>Ausgesetzt: ein Remote schlägt immer wieder fehl; das Abrufen im Hintergrund lässt es eine Weile aus</translation>
        </message>
        <message>
            <source>Warning: %1</source>
            <translation>Warnung: %1</translation>
        </message>
    </context>
    <context>
        <name>SettingsDialog</name>
        <message>
            <source>%1 (showing the remotes last seen)</source>
            <translation>%1 (gezeigt werden die zuletzt gesehenen Remotes)</translation>
        </message>
        <message>
            <source>&lt;b&gt;Repositories&lt;/b&gt;</source>
            <translation>&lt;b&gt;Repositories&lt;/b&gt;</translation>
        </message>
        <message>
            <source>&lt;i&gt;No repository yet: add a folder or clone one.&lt;/i&gt;</source>
            <translation>&lt;i&gt;Noch kein Repository: füge einen Ordner hinzu oder klone eines.&lt;/i&gt;</translation>
        </message>
        <message>
            <source>A folder of files that is not a repository yet: Gitferry makes it one, commits its files and pushes them to an empty remote you name</source>
            <translation>Ein Ordner mit Dateien, der noch kein Repository ist: Gitferry macht eines daraus, committet seine Dateien und pusht sie zu einem leeren Remote, das du angibst</translation>
        </message>
        <message>
            <source>Add folder…</source>
            <translation>Ordner hinzufügen…</translation>
        </message>
        <message>
            <source>Added %1. The changes here are not saved yet.</source>
            <translation>%1 hinzugefügt. Die Änderungen hier sind noch nicht gespeichert.</translation>
        </message>
        <message>
            <source>Application</source>
            <translation>Anwendung</translation>
        </message>
        <message>
            <source>Background fetches wait while the machine runs on battery</source>
            <translation>Abrufe im Hintergrund warten, solange der Rechner im Akkubetrieb läuft</translation>
        </message>
        <message>
            <source>Clone a remote repository into a new folder and register it</source>
            <translation>Ein Remote-Repository in einen neuen Ordner klonen und eintragen</translation>
        </message>
        <message>
            <source>Clone from URL…</source>
            <translation>Von URL klonen…</translation>
        </message>
        <message>
            <source>Gitferry forgets the repository. Its files are never deleted:
%1 stays as it is.</source>
            <translation>Gitferry vergisst das Repository. Seine Dateien werden nie gelöscht:
%1 bleibt, wie es ist.</translation>
        </message>
        <message>
            <source>Gitferry settings</source>
            <translation>Gitferry-Einstellungen</translation>
        </message>
        <message>
            <source>HTTP(S) secrets are kept in the system keyring (with none, in memory until Gitferry quits and by git's credential helpers, if you set any up); ssh uses your agent and keys</source>
            <translation>HTTP(S)-Geheimnisse liegen im Schlüsselbund des Systems (ohne einen im Speicher, bis Gitferry beendet wird, und bei den git-Zugangsdaten-Helfern, falls du welche eingerichtet hast); ssh nutzt deinen Agent und deine Schlüssel</translation>
        </message>
        <message>
            <source>Not removed: %1</source>
            <translation>Nicht entfernt: %1</translation>
        </message>
        <message>
            <source>Not saved: %1</source>
            <translation>Nicht gespeichert: %1</translation>
        </message>
        <message>
            <source>Nothing was changed: there is nothing to save.</source>
            <translation>Nichts wurde geändert: es gibt nichts zu speichern.</translation>
        </message>
        <message>
            <source>Nothing was saved: fix the fields marked in red first.</source>
            <translation>Nichts wurde gespeichert: korrigiere zuerst die rot markierten Felder.</translation>
        </message>
        <message>
            <source>Nothing was saved: the remote refused the credentials.</source>
            <translation>Nichts wurde gespeichert: das Remote hat die Zugangsdaten abgelehnt.</translation>
        </message>
        <message>
            <source>Pause on &amp;battery below 20%</source>
            <translation>Im A&amp;kkubetrieb unter 20 % pausieren</translation>
        </message>
        <message>
            <source>Register a folder that already holds a git repository</source>
            <translation>Einen Ordner eintragen, der schon ein git-Repository enthält</translation>
        </message>
        <message>
            <source>Remotes</source>
            <translation>Remotes</translation>
        </message>
        <message>
            <source>Remove</source>
            <translation>Entfernen</translation>
        </message>
        <message>
            <source>Remove repository</source>
            <translation>Repository entfernen</translation>
        </message>
        <message>
            <source>Removed %1; its files are untouched.</source>
            <translation>%1 entfernt; seine Dateien sind unberührt.</translation>
        </message>
        <message>
            <source>Repositories</source>
            <translation>Repositories</translation>
        </message>
        <message>
            <source>Save</source>
            <translation>Speichern</translation>
        </message>
        <message>
            <source>Save the changes before closing?</source>
            <translation>Die Änderungen vor dem Schließen speichern?</translation>
        </message>
        <message>
            <source>Save the changes to %1 before closing?</source>
            <translation>Die Änderungen an %1 vor dem Schließen speichern?</translation>
        </message>
        <message>
            <source>Save the changes to %1 before showing another repository?</source>
            <translation>Die Änderungen an %1 speichern, bevor ein anderes Repository gezeigt wird?</translation>
        </message>
        <message>
            <source>Saved.</source>
            <translation>Gespeichert.</translation>
        </message>
        <message>
            <source>Saving…</source>
            <translation>Speichere…</translation>
        </message>
        <message>
            <source>Sign-ins</source>
            <translation>Anmeldungen</translation>
        </message>
        <message>
            <source>Some fields marked in red cannot be saved as they are.</source>
            <translation>Einige rot markierte Felder können so nicht gespeichert werden.</translation>
        </message>
        <message>
            <source>Start Gitferry at &amp;login</source>
            <translation>Gitferry bei der Anmeldung s&amp;tarten</translation>
        </message>
        <message>
            <source>Start syncing a folder…</source>
            <translation>Ordner synchronisieren…</translation>
        </message>
        <message>
            <source>Stop syncing %1?</source>
            <translation>%1 nicht mehr synchronisieren?</translation>
        </message>
        <message>
            <source>Stop syncing the selected repository; its files stay where they are</source>
            <translation>Das ausgewählte Repository nicht mehr synchronisieren; seine Dateien bleiben, wo sie sind</translation>
        </message>
        <message>
            <source>Sync</source>
            <translation>Synchronisierung</translation>
        </message>
        <message>
            <source>The selected repository's settings</source>
            <translation>Die Einstellungen des ausgewählten Repositorys</translation>
        </message>
        <message>
            <source>Unsaved changes</source>
            <translation>Ungespeicherte Änderungen</translation>
        </message>
        <message>
            <source>the last sync could not sign in</source>
            <translation>die letzte Synchronisierung konnte sich nicht anmelden</translation>
        </message>
    </context>
    <context>
        <name>SignInDialog</name>
        <message>
            <source>%1 asks you to sign in.</source>
            <translation>%1 bittet dich, dich anzumelden.</translation>
        </message>
        <message>
            <source>%1 refused the saved credentials. Sign in again:</source>
            <translation>%1 hat die gespeicherten Zugangsdaten abgelehnt. Melde dich erneut an:</translation>
        </message>
        <message>
            <source>&amp;Password or token:</source>
            <translation>&amp;Passwort oder Token:</translation>
        </message>
        <message>
            <source>&amp;User name:</source>
            <translation>&amp;Benutzername:</translation>
        </message>
        <message>
            <source>Saved in the system keyring and given to credential helper %1 once the server accepts it.</source>
            <translation>Wird im Schlüsselbund des Systems gespeichert und an den Zugangsdaten-Helfer %1 gegeben, sobald der Server es annimmt.</translation>
        </message>
        <message>
            <source>Saved in the system keyring once the server accepts it.</source>
            <translation>Wird im Schlüsselbund des Systems gespeichert, sobald der Server es annimmt.</translation>
        </message>
        <message>
            <source>Sign in</source>
            <translation>Anmelden</translation>
        </message>
        <message>
            <source>Sign in to %1</source>
            <translation>Bei %1 anmelden</translation>
        </message>
        <message>
            <source>The password comes from credential helper %1.</source>
            <translation>Das Passwort kommt vom Zugangsdaten-Helfer %1.</translation>
        </message>
        <message>
            <source>There is no system keyring: given to credential helper %1 once the server accepts it.</source>
            <translation>Es gibt keinen Schlüsselbund des Systems: wird an den Zugangsdaten-Helfer %1 gegeben, sobald der Server es annimmt.</translation>
        </message>
        <message>
            <source>There is no system keyring: kept in memory only until Gitferry quits. To keep it, set up a keyring or a git credential helper.</source>
            <translation>Es gibt keinen Schlüsselbund des Systems: wird nur im Speicher behalten, bis Gitferry beendet wird. Um es zu behalten, richte einen Schlüsselbund oder einen git-Zugangsdaten-Helfer ein.</translation>
        </message>
        <message>
            <source>password or token</source>
            <translation>Passwort oder Token</translation>
        </message>
        <message>
            <source>user name</source>
            <translation>Benutzername</translation>
        </message>
    </context>
    <context>
        <name>SkippedFiles</name>
        <message numerus="yes">
            <source>%n failure(s) since %1</source>
            <translation>
                <numerusform>%n Fehlschlag seit %1</numerusform>
                <numerusform>%n Fehlschläge seit %1</numerusform>
            </translation>
        </message>
        <message>
            <source>A folder with a .git of its own: git add would record only a link to it, so it is left out.</source>
            <translation>Ein Ordner mit eigenem .git: git add würde nur einen Verweis darauf erfassen, darum wird er übersprungen.</translation>
        </message>
        <message>
            <source>Could not be read: permission denied, gone while read, or a name git cannot store. Fix that, then Retry.</source>
            <translation>Konnte nicht gelesen werden: keine Berechtigung, beim Lesen verschwunden oder ein Name, den git nicht speichern kann. Behebe das, dann „Erneut versuchen“.</translation>
        </message>
        <message>
            <source>Failed three times within an hour: held back for an hour, or until Retry.</source>
            <translation>Dreimal innerhalb einer Stunde fehlgeschlagen: eine Stunde lang zurückgestellt, oder bis „Erneut versuchen“.</translation>
        </message>
        <message>
            <source>Its Git LFS content could not be downloaded (the LFS server lacks it or cannot be reached): the file holds its pointer. Each sync asks for it again and writes the file once the server has it (Retry is not needed).</source>
            <translation>Sein Git-LFS-Inhalt konnte nicht heruntergeladen werden (der LFS-Server hat ihn nicht oder ist nicht erreichbar): die Datei enthält ihren Pointer. Jede Synchronisierung fragt erneut danach und schreibt die Datei, sobald der Server ihn hat („Erneut versuchen“ ist nicht nötig).</translation>
        </message>
        <message>
            <source>LFS object missing</source>
            <translation>LFS-Objekt fehlt</translation>
        </message>
        <message>
            <source>Larger than this repository's maximum file size: raise Max file size in Settings (or list the file in .gitignore), then Retry.</source>
            <translation>Größer als die maximale Dateigröße dieses Repositorys: erhöhe „Max. Dateigröße“ in den Einstellungen (oder trage die Datei in .gitignore ein), dann „Erneut versuchen“.</translation>
        </message>
        <message>
            <source>Needs a conversion (a git filter) Gitferry does not run: git checkout or git add, which run it, write or commit it.</source>
            <translation>Braucht eine Umwandlung (einen git-Filter), die Gitferry nicht ausführt: git checkout oder git add, die ihn ausführen, schreiben oder committen sie.</translation>
        </message>
        <message>
            <source>a repository of its own (nested)</source>
            <translation>ein eigenes Repository (verschachtelt)</translation>
        </message>
        <message>
            <source>filter not run here</source>
            <translation>Filter läuft hier nicht</translation>
        </message>
        <message>
            <source>git add would refuse it (core.safecrlf): its line endings would not come back as they are.</source>
            <translation>git add würde sie ablehnen (core.safecrlf): ihre Zeilenenden kämen nicht so zurück, wie sie sind.</translation>
        </message>
        <message>
            <source>keeps failing</source>
            <translation>schlägt immer wieder fehl</translation>
        </message>
        <message>
            <source>line endings (safecrlf)</source>
            <translation>Zeilenenden (safecrlf)</translation>
        </message>
        <message>
            <source>too large</source>
            <translation>zu groß</translation>
        </message>
        <message>
            <source>unreadable</source>
            <translation>nicht lesbar</translation>
        </message>
    </context>
    <context>
        <name>Standing</name>
        <message numerus="yes">
            <source>%1 branches diverged, %n more to sync</source>
            <translation>
                <numerusform>%1 Branches abgewichen, %n weiterer zu synchronisieren</numerusform>
                <numerusform>%1 Branches abgewichen, %n weitere zu synchronisieren</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%1 branches diverged, +%n</source>
            <translation>
                <numerusform>%1 Branches abgewichen, +%n</numerusform>
                <numerusform>%1 Branches abgewichen, +%n</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%1 diverged, %n more to sync</source>
            <translation>
                <numerusform>%1 abgewichen, %n weiterer zu synchronisieren</numerusform>
                <numerusform>%1 abgewichen, %n weitere zu synchronisieren</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%1 diverged, +%n</source>
            <translation>
                <numerusform>%1 abgewichen, +%n</numerusform>
                <numerusform>%1 abgewichen, +%n</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%1: %n commit(s) on no remote</source>
            <translation>
                <numerusform>%1: %n Commit auf keinem Remote</numerusform>
                <numerusform>%1: %n Commits auf keinem Remote</numerusform>
            </translation>
        </message>
        <message>
            <source>%1: upstream gone</source>
            <translation>%1: Upstream gelöscht</translation>
        </message>
        <message numerus="yes">
            <source>%n branches ahead, left as they are</source>
            <translation>
                <numerusform>%n Branch voraus, so belassen</numerusform>
                <numerusform>%n Branches voraus, so belassen</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n branches behind or ahead, left as they are</source>
            <translation>
                <numerusform>%n Branch zurück oder voraus, so belassen</numerusform>
                <numerusform>%n Branches zurück oder voraus, so belassen</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n branches behind, left as they are</source>
            <translation>
                <numerusform>%n Branch zurück, so belassen</numerusform>
                <numerusform>%n Branches zurück, so belassen</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n branches diverged</source>
            <translation>
                <numerusform>%n Branch abgewichen</numerusform>
                <numerusform>%n Branches abgewichen</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n branches to sync</source>
            <translation>
                <numerusform>%n Branch zu synchronisieren</numerusform>
                <numerusform>%n Branches zu synchronisieren</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n cancelled</source>
            <translation>
                <numerusform>%n abgebrochen</numerusform>
                <numerusform>%n abgebrochen</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n file(s) skipped</source>
            <translation>
                <numerusform>%n Datei übersprungen</numerusform>
                <numerusform>%n Dateien übersprungen</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n need(s) you</source>
            <translation>
                <numerusform>%n braucht dich</numerusform>
                <numerusform>%n brauchen dich</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n not synced yet</source>
            <translation>
                <numerusform>%n noch nicht synchronisiert</numerusform>
                <numerusform>%n noch nicht synchronisiert</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n repositories</source>
            <translation>
                <numerusform>%n Repository</numerusform>
                <numerusform>%n Repositories</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n skipped</source>
            <translation>
                <numerusform>%n übersprungen</numerusform>
                <numerusform>%n übersprungen</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n syncing</source>
            <translation>
                <numerusform>%n synchronisiert gerade</numerusform>
                <numerusform>%n synchronisieren gerade</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n to sync</source>
            <translation>
                <numerusform>%n zu synchronisieren</numerusform>
                <numerusform>%n zu synchronisieren</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n with a branch left behind or ahead</source>
            <translation>
                <numerusform>%n mit Branch zurück oder voraus</numerusform>
                <numerusform>%n mit Branch zurück oder voraus</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n with a warning</source>
            <translation>
                <numerusform>%n mit Warnung</numerusform>
                <numerusform>%n mit Warnung</numerusform>
            </translation>
        </message>
        <message>
            <source>A remote keeps failing</source>
            <translation>Ein Remote schlägt immer wieder fehl</translation>
        </message>
        <message>
            <source>Bisect in progress</source>
            <translation>Bisect läuft</translation>
        </message>
        <message>
            <source>Busy: another git command holds it</source>
            <translation>Belegt: ein anderer git-Befehl hält es</translation>
        </message>
        <message>
            <source>Cancelled</source>
            <translation>Abgebrochen</translation>
        </message>
        <message>
            <source>Cherry-pick in progress</source>
            <translation>Cherry-pick läuft</translation>
        </message>
        <message>
            <source>Cherry-pick or revert in progress</source>
            <translation>Cherry-pick oder Revert läuft</translation>
        </message>
        <message>
            <source>Commit or stash them with git (git status lists them), then sync again.</source>
            <translation>Committe oder stashe sie mit git (git status listet sie), dann synchronisiere erneut.</translation>
        </message>
        <message>
            <source>Commits on no remote</source>
            <translation>Commits auf keinem Remote</translation>
        </message>
        <message>
            <source>Conflict</source>
            <translation>Konflikt</translation>
        </message>
        <message numerus="yes">
            <source>Conflict: %n file(s)</source>
            <translation>
                <numerusform>Konflikt: %n Datei</numerusform>
                <numerusform>Konflikt: %n Dateien</numerusform>
            </translation>
        </message>
        <message>
            <source>Diverged: not integrated</source>
            <translation>Abgewichen: nicht integriert</translation>
        </message>
        <message>
            <source>Failed</source>
            <translation>Fehlgeschlagen</translation>
        </message>
        <message>
            <source>Local changes in the way</source>
            <translation>Lokale Änderungen im Weg</translation>
        </message>
        <message>
            <source>Merge in progress</source>
            <translation>Merge läuft</translation>
        </message>
        <message>
            <source>Needs you</source>
            <translation>Braucht dich</translation>
        </message>
        <message>
            <source>Not synced yet</source>
            <translation>Noch nicht synchronisiert</translation>
        </message>
        <message>
            <source>Offline</source>
            <translation>Offline</translation>
        </message>
        <message>
            <source>Paused</source>
            <translation>Pausiert</translation>
        </message>
        <message>
            <source>Rebase in progress</source>
            <translation>Rebase läuft</translation>
        </message>
        <message>
            <source>Revert in progress</source>
            <translation>Revert läuft</translation>
        </message>
        <message>
            <source>Sign-in needed</source>
            <translation>Anmeldung nötig</translation>
        </message>
        <message>
            <source>Submodule %1: has local changes</source>
            <translation>Submodul %1: hat lokale Änderungen</translation>
        </message>
        <message>
            <source>Submodule %1: not at the recorded commit</source>
            <translation>Submodul %1: nicht auf dem erfassten Commit</translation>
        </message>
        <message>
            <source>Synced</source>
            <translation>Synchronisiert</translation>
        </message>
        <message>
            <source>Syncing is on: Pause syncing stops background fetches and automatic syncs (Sync now still works)</source>
            <translation>Synchronisieren ist an: Synchronisieren pausieren hält Abrufe im Hintergrund und automatische Synchronisierungen an (Jetzt synchronisieren geht weiter)</translation>
        </message>
        <message>
            <source>Syncing is paused: Resume syncing lets background fetches and automatic syncs run again</source>
            <translation>Synchronisieren ist pausiert: Synchronisieren fortsetzen lässt Abrufe im Hintergrund und automatische Synchronisierungen wieder laufen</translation>
        </message>
        <message>
            <source>Syncing…</source>
            <translation>Synchronisiere…</translation>
        </message>
        <message>
            <source>To sync</source>
            <translation>Zu synchronisieren</translation>
        </message>
        <message>
            <source>Unmerged paths</source>
            <translation>Nicht zusammengeführte Pfade</translation>
        </message>
        <message>
            <source>Up to date</source>
            <translation>Aktuell</translation>
        </message>
        <message>
            <source>Warning</source>
            <translation>Warnung</translation>
        </message>
        <message>
            <source>all up to date</source>
            <translation>alles aktuell</translation>
        </message>
        <message>
            <source>git am in progress</source>
            <translation>git am läuft</translation>
        </message>
        <message>
            <source>offline</source>
            <translation>offline</translation>
        </message>
        <message>
            <source>syncing on</source>
            <translation>Synchronisieren an</translation>
        </message>
        <message>
            <source>syncing paused</source>
            <translation>Synchronisieren pausiert</translation>
        </message>
        <message>
            <source>syncing paused until %1</source>
            <translation>Synchronisieren pausiert bis %1</translation>
        </message>
    </context>
    <context>
        <name>StartSyncingDialog</name>
        <message>
            <source>Browse…</source>
            <translation>Durchsuchen…</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>Abbrechen</translation>
        </message>
        <message>
            <source>Choose the folder to sync</source>
            <translation>Den zu synchronisierenden Ordner wählen</translation>
        </message>
        <message>
            <source>Committing the files and pushing them…</source>
            <translation>Committe die Dateien und pushe sie…</translation>
        </message>
        <message>
            <source>Folder to sync</source>
            <translation>Zu synchronisierender Ordner</translation>
        </message>
        <message>
            <source>Folder:</source>
            <translation>Ordner:</translation>
        </message>
        <message>
            <source>Gitferry makes the folder a git repository, commits its files as they are and pushes them to the remote, which must be empty (a new repository on your server). The files themselves are not changed.</source>
            <translation>Gitferry macht den Ordner zu einem git-Repository, committet seine Dateien, wie sie sind, und pusht sie zum Remote, das leer sein muss (ein neues Repository auf deinem Server). Die Dateien selbst werden nicht verändert.</translation>
        </message>
        <message>
            <source>Nothing was changed: %1</source>
            <translation>Nichts wurde verändert: %1</translation>
        </message>
        <message>
            <source>Problem with the URL</source>
            <translation>Problem mit der URL</translation>
        </message>
        <message>
            <source>Problem with the folder</source>
            <translation>Problem mit dem Ordner</translation>
        </message>
        <message>
            <source>Progress</source>
            <translation>Fortschritt</translation>
        </message>
        <message>
            <source>Remote URL:</source>
            <translation>Remote-URL:</translation>
        </message>
        <message>
            <source>Start syncing</source>
            <translation>Synchronisieren</translation>
        </message>
        <message>
            <source>Start syncing a folder</source>
            <translation>Einen Ordner synchronisieren</translation>
        </message>
        <message>
            <source>URL of the empty remote repository</source>
            <translation>URL des leeren Remote-Repositorys</translation>
        </message>
    </context>
    <context>
        <name>StatusWindow</name>
        <message>
            <source> — paused</source>
            <translation> — pausiert</translation>
        </message>
        <message>
            <source> — paused until %1</source>
            <translation> — pausiert bis %1</translation>
        </message>
        <message numerus="yes">
            <source>%n branch(es) not published</source>
            <translation>
                <numerusform>%n Branch unveröffentlicht</numerusform>
                <numerusform>%n Branches unveröffentlicht</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n with a tripped remote</source>
            <translation>
                <numerusform>%n mit ausgesetztem Remote</numerusform>
                <numerusform>%n mit ausgesetztem Remote</numerusform>
            </translation>
        </message>
        <message>
            <source>&amp;Pause syncing</source>
            <translation>Synchronisieren &amp;pausieren</translation>
        </message>
        <message>
            <source>&amp;Resume syncing</source>
            <translation>Synchronisieren &amp;fortsetzen</translation>
        </message>
        <message>
            <source>&amp;Sync now</source>
            <translation>Jetzt &amp;synchronisieren</translation>
        </message>
        <message>
            <source>A&amp;bout</source>
            <translation>Ü&amp;ber</translation>
        </message>
        <message>
            <source>About Gitferry: its version, where its data and log live (F1)</source>
            <translation>Über Gitferry: Version, Ort der Daten und des Protokolls (F1)</translation>
        </message>
        <message>
            <source>Actions</source>
            <translation>Aktionen</translation>
        </message>
        <message>
            <source>Add one in Settings</source>
            <translation>Füge eines in den Einstellungen hinzu</translation>
        </message>
        <message>
            <source>Automatic sync: commits, integrates and pushes a few seconds after changes</source>
            <translation>Automatische Synchronisierung: committet, integriert und pusht wenige Sekunden nach Änderungen</translation>
        </message>
        <message>
            <source>Automatic sync: integrates and pushes your commits; auto-commit is off</source>
            <translation>Automatische Synchronisierung: integriert und pusht deine Commits; Auto-Commit ist aus</translation>
        </message>
        <message>
            <source>Branches</source>
            <translation>Branches</translation>
        </message>
        <message>
            <source>Conflicts</source>
            <translation>Konflikte</translation>
        </message>
        <message>
            <source>Conflicts (%1)</source>
            <translation>Konflikte (%1)</translation>
        </message>
        <message>
            <source>Detail tabs</source>
            <translation>Detail-Reiter</translation>
        </message>
        <message>
            <source>Details of the selected repository</source>
            <translation>Details des ausgewählten Repositorys</translation>
        </message>
        <message>
            <source>Files a sync left out, and why (a reason's tooltip says what to do).</source>
            <translation>Dateien, die eine Synchronisierung übersprungen hat, und warum (der Tooltip eines Grundes sagt, was zu tun ist).</translation>
        </message>
        <message>
            <source>Filter branches</source>
            <translation>Branches filtern</translation>
        </message>
        <message>
            <source>History</source>
            <translation>Verlauf</translation>
        </message>
        <message>
            <source>Last publish</source>
            <translation>Letzte Veröffentlichung</translation>
        </message>
        <message>
            <source>Manual sync: fetched in the background, synced when you ask</source>
            <translation>Manuelle Synchronisierung: im Hintergrund abgerufen, synchronisiert, wenn du es willst</translation>
        </message>
        <message>
            <source>No files skipped. A file a sync leaves out (too large, unreadable) is listed here, and why.</source>
            <translation>Keine Dateien übersprungen. Lässt eine Synchronisierung eine Datei aus (zu groß, unlesbar), steht sie hier, mit dem Grund.</translation>
        </message>
        <message>
            <source>No repository</source>
            <translation>Kein Repository</translation>
        </message>
        <message>
            <source>Open folder</source>
            <translation>Ordner öffnen</translation>
        </message>
        <message>
            <source>Publish branch</source>
            <translation>Branch veröffentlichen</translation>
        </message>
        <message>
            <source>Publish the selected branch</source>
            <translation>Den ausgewählten Branch veröffentlichen</translation>
        </message>
        <message>
            <source>Publishing {branch}…</source>
            <translation>Veröffentliche {branch}…</translation>
        </message>
        <message>
            <source>Push the selected branch where git push would, and set its upstream (Ctrl+Shift+P)</source>
            <translation>Den ausgewählten Branch dorthin pushen, wohin git push ihn pushen würde, und seinen Upstream setzen (Strg+Umschalt+P)</translation>
        </message>
        <message>
            <source>Repositories</source>
            <translation>Repositories</translation>
        </message>
        <message>
            <source>Retry</source>
            <translation>Erneut versuchen</translation>
        </message>
        <message>
            <source>S&amp;ettings…</source>
            <translation>&amp;Einstellungen…</translation>
        </message>
        <message>
            <source>Skipped files</source>
            <translation>Übersprungene Dateien</translation>
        </message>
        <message>
            <source>Skipped files (%1)</source>
            <translation>Übersprungene Dateien (%1)</translation>
        </message>
        <message>
            <source>Submodule %1 has local changes: commit or discard them inside it</source>
            <translation>Submodul %1 hat lokale Änderungen: committe oder verwirf sie darin</translation>
        </message>
        <message>
            <source>Submodule %1 is at %2, not the recorded %3: git submodule update checks out the recorded one</source>
            <translation>Submodul %1 steht auf %2, nicht auf dem erfassten %3: git submodule update checkt den erfassten aus</translation>
        </message>
        <message>
            <source>Submodule %1 is not checked out: git submodule update --init checks it out</source>
            <translation>Submodul %1 ist nicht ausgecheckt: git submodule update --init checkt es aus</translation>
        </message>
        <message>
            <source>Submodules whose checked-out commit is not the one this repository records (git submodule status shows them with + or -), or with local changes (git status: modified or untracked content)</source>
            <translation>Submodule, deren ausgecheckter Commit nicht der ist, den dieses Repository erfasst (git submodule status zeigt sie mit + oder -), oder mit lokalen Änderungen (git status: modified oder untracked content)</translation>
        </message>
        <message>
            <source>Summary</source>
            <translation>Zusammenfassung</translation>
        </message>
        <message>
            <source>Sync &amp;all</source>
            <translation>&amp;Alle synchronisieren</translation>
        </message>
        <message>
            <source>Sync the selected repository (Ctrl+S, or Enter in the list)</source>
            <translation>Das ausgewählte Repository synchronisieren (Strg+S, oder Eingabe in der Liste)</translation>
        </message>
        <message>
            <source>Try the selected files (or all of them) again on the next sync</source>
            <translation>Die ausgewählten Dateien (oder alle) bei der nächsten Synchronisierung erneut versuchen</translation>
        </message>
    </context>
    <context>
        <name>TransferText</name>
        <message>
            <source>%1 objects</source>
            <translation>%1 Objekte</translation>
        </message>
        <message>
            <source>%1 of %2 objects</source>
            <translation>%1 von %2 Objekten</translation>
        </message>
        <message>
            <source>%1: %2 of %3</source>
            <translation>%1: %2 von %3</translation>
        </message>
        <message>
            <source>Connecting…</source>
            <translation>Verbinde…</translation>
        </message>
        <message>
            <source>Indexing objects</source>
            <translation>Indiziere Objekte</translation>
        </message>
        <message>
            <source>Receiving</source>
            <translation>Empfange</translation>
        </message>
        <message>
            <source>Receiving %1</source>
            <translation>Empfange %1</translation>
        </message>
        <message>
            <source>Resolving deltas</source>
            <translation>Löse Deltas auf</translation>
        </message>
        <message>
            <source>Sending objects</source>
            <translation>Sende Objekte</translation>
        </message>
        <message>
            <source>The remote is compressing objects</source>
            <translation>Das Remote komprimiert Objekte</translation>
        </message>
        <message>
            <source>The remote is counting objects</source>
            <translation>Das Remote zählt Objekte</translation>
        </message>
        <message>
            <source>Writing files</source>
            <translation>Schreibe Dateien</translation>
        </message>
        <message>
            <source>at %1/s</source>
            <translation>mit %1/s</translation>
        </message>
    </context>
    <context>
        <name>Tray</name>
        <message>
            <source>About Gitferry</source>
            <translation>Über Gitferry</translation>
        </message>
        <message>
            <source>Gitferry: everything up to date</source>
            <translation>Gitferry: alles aktuell</translation>
        </message>
        <message>
            <source>Gitferry: no repositories yet</source>
            <translation>Gitferry: noch keine Repositories</translation>
        </message>
        <message>
            <source>Gitferry: nothing needs you</source>
            <translation>Gitferry: nichts braucht dich</translation>
        </message>
        <message>
            <source>Gitferry: offline, no remote answers</source>
            <translation>Gitferry: offline, kein Remote antwortet</translation>
        </message>
        <message>
            <source>Gitferry: something needs you</source>
            <translation>Gitferry: etwas braucht dich</translation>
        </message>
        <message>
            <source>Gitferry: syncing</source>
            <translation>Gitferry: synchronisiert gerade</translation>
        </message>
        <message>
            <source>Gitferry: syncing paused</source>
            <translation>Gitferry: Synchronisieren pausiert</translation>
        </message>
        <message>
            <source>Gitferry: worth a look</source>
            <translation>Gitferry: einen Blick wert</translation>
        </message>
        <message>
            <source>Open folder</source>
            <translation>Ordner öffnen</translation>
        </message>
        <message>
            <source>Pause syncing</source>
            <translation>Synchronisieren pausieren</translation>
        </message>
        <message>
            <source>Pause syncing for 1 hour</source>
            <translation>Synchronisieren für 1 Stunde pausieren</translation>
        </message>
        <message>
            <source>Pause syncing this repository</source>
            <translation>Synchronisieren dieses Repositorys pausieren</translation>
        </message>
        <message>
            <source>Quit Gitferry</source>
            <translation>Gitferry beenden</translation>
        </message>
        <message>
            <source>Repositories (%1)</source>
            <translation>Repositories (%1)</translation>
        </message>
        <message>
            <source>Resume syncing</source>
            <translation>Synchronisieren fortsetzen</translation>
        </message>
        <message>
            <source>Resume syncing this repository</source>
            <translation>Synchronisieren dieses Repositorys fortsetzen</translation>
        </message>
        <message>
            <source>Settings…</source>
            <translation>Einstellungen…</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>Status</translation>
        </message>
        <message>
            <source>Status window</source>
            <translation>Statusfenster</translation>
        </message>
        <message>
            <source>Sync</source>
            <translation>Synchronisieren</translation>
        </message>
        <message>
            <source>Sync all now</source>
            <translation>Jetzt alle synchronisieren</translation>
        </message>
        <message numerus="yes">
            <source>and %n more</source>
            <translation>
                <numerusform>und %n weiteres</numerusform>
                <numerusform>und %n weitere</numerusform>
            </translation>
        </message>
    </context>
</TS>
