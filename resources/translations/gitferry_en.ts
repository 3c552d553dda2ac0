<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>AttentionNotices</name>
    <message numerus="yes">
        <source>%n repositories need you</source>
        <translation>
            <numerusform>%n repository needs you</numerusform>
            <numerusform>%n repositories need you</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>BranchTable</name>
    <message numerus="yes">
        <source>%n commit(s) of {branch} on no remote: Publish branch pushes it and sets its upstream</source>
        <translation>
            <numerusform>%n commit of {branch} is on no remote: Publish branch pushes it and sets its upstream</numerusform>
            <numerusform>%n commits of {branch} are on no remote: Publish branch pushes it and sets its upstream</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ConflictsPanel</name>
    <message numerus="yes">
        <source>%n conflicted path(s). Select one to see both versions.</source>
        <translation>
            <numerusform>%n conflicted path. Select it to see both versions.</numerusform>
            <numerusform>%n conflicted paths. Select one to see both versions.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Desktop</name>
    <message numerus="yes">
        <source>%1 of %n repositories synced</source>
        <translation>
            <numerusform>%1 of %n repository synced</numerusform>
            <numerusform>%1 of %n repositories synced</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n cancelled</source>
        <translation>
            <numerusform>%n cancelled</numerusform>
            <numerusform>%n cancelled</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) skipped</source>
        <translation>
            <numerusform>%n file skipped</numerusform>
            <numerusform>%n files skipped</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n need(s) you</source>
        <translation>
            <numerusform>%n needs you</numerusform>
            <numerusform>%n need you</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n offline</source>
        <translation>
            <numerusform>%n offline</numerusform>
            <numerusform>%n offline</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Engine</name>
    <message numerus="yes">
        <source>%n branch(es) not published: {listed}; publish with gitferry publish {repo} {branch}</source>
        <translation>
            <numerusform>%n branch not published: {listed}; publish with gitferry publish {repo} {branch}</numerusform>
            <numerusform>%n branches not published: {listed}; publish with gitferry publish {repo} {branch}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n files' Git LFS objects missing (first: {first}; {why}); their pointers are checked out, and the next sync fills them in</source>
        <translation>
            <numerusform>%n files' Git LFS objects missing (first: {first}; {why}); their pointers are checked out, and the next sync fills them in</numerusform>
            <numerusform>%n files' Git LFS objects missing (first: {first}; {why}); their pointers are checked out, and the next sync fills them in</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n more branch(es) behind or ahead (`gitferry status` lists them)</source>
        <translation>
            <numerusform>%n more branch behind or ahead (`gitferry status` lists them)</numerusform>
            <numerusform>%n more branches behind or ahead (`gitferry status` lists them)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n path(s) still to resolve: {paths}</source>
        <translation>
            <numerusform>%n path still to resolve: {paths}</numerusform>
            <numerusform>%n paths still to resolve: {paths}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n ref(s)</source>
        <translation>
            <numerusform>%n ref</numerusform>
            <numerusform>%n refs</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>committed %n file(s)</source>
        <translation>
            <numerusform>committed %n file</numerusform>
            <numerusform>committed %n files</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>kept both sides of %n conflict(s): {copies}</source>
        <translation>
            <numerusform>kept both sides of %n conflict: {copies}</numerusform>
            <numerusform>kept both sides of %n conflicts: {copies}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>left out %n file(s) ({reasons})</source>
        <translation>
            <numerusform>left out %n file ({reasons})</numerusform>
            <numerusform>left out %n files ({reasons})</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>the SSH agent (%n key(s))</source>
        <translation>
            <numerusform>the SSH agent (%n key)</numerusform>
            <numerusform>the SSH agent (%n keys)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{branch} (%n commit(s))</source>
        <translation>
            <numerusform>{branch} (%n commit)</numerusform>
            <numerusform>{branch} (%n commits)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{branch}: %n ahead</source>
        <translation>
            <numerusform>{branch}: %n ahead</numerusform>
            <numerusform>{branch}: %n ahead</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{branch}: %n ahead, checked out in {path}</source>
        <translation>
            <numerusform>{branch}: %n ahead, checked out in {path}</numerusform>
            <numerusform>{branch}: %n ahead, checked out in {path}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{branch}: %n ahead, held by a rebase or bisect in {path}</source>
        <translation>
            <numerusform>{branch}: %n ahead, held by a rebase or bisect in {path}</numerusform>
            <numerusform>{branch}: %n ahead, held by a rebase or bisect in {path}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{branch}: %n ahead, not checked out</source>
        <translation>
            <numerusform>{branch}: %n ahead, not checked out</numerusform>
            <numerusform>{branch}: %n ahead, not checked out</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{branch}: %n behind</source>
        <translation>
            <numerusform>{branch}: %n behind</numerusform>
            <numerusform>{branch}: %n behind</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{branch}: %n behind, checked out in {path}</source>
        <translation>
            <numerusform>{branch}: %n behind, checked out in {path}</numerusform>
            <numerusform>{branch}: %n behind, checked out in {path}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{branch}: %n behind, held by a rebase or bisect in {path}</source>
        <translation>
            <numerusform>{branch}: %n behind, held by a rebase or bisect in {path}</numerusform>
            <numerusform>{branch}: %n behind, held by a rebase or bisect in {path}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{branch}: %n behind, not checked out</source>
        <translation>
            <numerusform>{branch}: %n behind, not checked out</numerusform>
            <numerusform>{branch}: %n behind, not checked out</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{branch}: merged, %n conflict(s) resolved</source>
        <translation>
            <numerusform>{branch}: merged, %n conflict resolved</numerusform>
            <numerusform>{branch}: merged, %n conflicts resolved</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{branch}: rebased, %n conflict(s) resolved</source>
        <translation>
            <numerusform>{branch}: rebased, %n conflict resolved</numerusform>
            <numerusform>{branch}: rebased, %n conflicts resolved</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{deleted}: %n local commit(s) on {branch} (is|are) published nowhere</source>
        <translation>
            <numerusform>{deleted}: %n local commit on {branch} is published nowhere</numerusform>
            <numerusform>{deleted}: %n local commits on {branch} are published nowhere</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>HistoryPanel</name>
    <message numerus="yes">
        <source>%n commit(s)</source>
        <translation>
            <numerusform>%n commit</numerusform>
            <numerusform>%n commits</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) changed</source>
        <translation>
            <numerusform>%n file changed</numerusform>
            <numerusform>%n files changed</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Committed %n file(s)</source>
        <translation>
            <numerusform>Committed %n file</numerusform>
            <numerusform>Committed %n files</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Conflicted %n file(s)</source>
        <translation>
            <numerusform>Conflicted %n file</numerusform>
            <numerusform>Conflicted %n files</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Made here · %1: %n copies of this computer's version (keep both)</source>
        <translation>
            <numerusform>Made here · %1: %n copy of this computer's version (keep both)</numerusform>
            <numerusform>Made here · %1: %n copies of this computer's version (keep both)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Skipped %n file(s)</source>
        <translation>
            <numerusform>Skipped %n file</numerusform>
            <numerusform>Skipped %n files</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>…and %n more commit(s)</source>
        <translation>
            <numerusform>…and %n more commit</numerusform>
            <numerusform>…and %n more commits</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>…and %n more file(s)</source>
        <translation>
            <numerusform>…and %n more file</numerusform>
            <numerusform>…and %n more files</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SkippedFiles</name>
    <message numerus="yes">
        <source>%n failure(s) since %1</source>
        <translation>
            <numerusform>%n failure since %1</numerusform>
            <numerusform>%n failures since %1</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Standing</name>
    <message numerus="yes">
        <source>%1 branches diverged, %n more to sync</source>
        <translation>
            <numerusform>%1 branches diverged, %n more to sync</numerusform>
            <numerusform>%1 branches diverged, %n more to sync</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 branches diverged, +%n</source>
        <translation>
            <numerusform>%1 branches diverged, +%n</numerusform>
            <numerusform>%1 branches diverged, +%n</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 diverged, %n more to sync</source>
        <translation>
            <numerusform>%1 diverged, %n more to sync</numerusform>
            <numerusform>%1 diverged, %n more to sync</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 diverged, +%n</source>
        <translation>
            <numerusform>%1 diverged, +%n</numerusform>
            <numerusform>%1 diverged, +%n</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1: %n commit(s) on no remote</source>
        <translation>
            <numerusform>%1: %n commit on no remote</numerusform>
            <numerusform>%1: %n commits on no remote</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n branches ahead, left as they are</source>
        <translation>
            <numerusform>%n branch ahead, left as it is</numerusform>
            <numerusform>%n branches ahead, left as they are</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n branches behind or ahead, left as they are</source>
        <translation>
            <numerusform>%n branch behind or ahead, left as it is</numerusform>
            <numerusform>%n branches behind or ahead, left as they are</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n branches behind, left as they are</source>
        <translation>
            <numerusform>%n branch behind, left as it is</numerusform>
            <numerusform>%n branches behind, left as they are</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n branches diverged</source>
        <translation>
            <numerusform>%n branch diverged</numerusform>
            <numerusform>%n branches diverged</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n branches to sync</source>
        <translation>
            <numerusform>%n branch to sync</numerusform>
            <numerusform>%n branches to sync</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n cancelled</source>
        <translation>
            <numerusform>%n cancelled</numerusform>
            <numerusform>%n cancelled</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) skipped</source>
        <translation>
            <numerusform>%n file skipped</numerusform>
            <numerusform>%n files skipped</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n need(s) you</source>
        <translation>
            <numerusform>%n needs you</numerusform>
            <numerusform>%n need you</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n not synced yet</source>
        <translation>
            <numerusform>%n not synced yet</numerusform>
            <numerusform>%n not synced yet</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n repositories</source>
        <translation>
            <numerusform>%n repository</numerusform>
            <numerusform>%n repositories</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n skipped</source>
        <translation>
            <numerusform>%n skipped</numerusform>
            <numerusform>%n skipped</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n syncing</source>
        <translation>
            <numerusform>%n syncing</numerusform>
            <numerusform>%n syncing</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n to sync</source>
        <translation>
            <numerusform>%n to sync</numerusform>
            <numerusform>%n to sync</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n with a branch left behind or ahead</source>
        <translation>
            <numerusform>%n with a branch left behind or ahead</numerusform>
            <numerusform>%n with a branch left behind or ahead</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n with a warning</source>
        <translation>
            <numerusform>%n with a warning</numerusform>
            <numerusform>%n with a warning</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Conflict: %n file(s)</source>
        <translation>
            <numerusform>Conflict: %n file</numerusform>
            <numerusform>Conflict: %n files</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>StatusWindow</name>
    <message numerus="yes">
        <source>%n branch(es) not published</source>
        <translation>
            <numerusform>%n branch not published</numerusform>
            <numerusform>%n branches not published</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n with a tripped remote</source>
        <translation>
            <numerusform>%n with a tripped remote</numerusform>
            <numerusform>%n with a tripped remote</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Tray</name>
    <message numerus="yes">
        <source>and %n more</source>
        <translation>
            <numerusform>and %n more</numerusform>
            <numerusform>and %n more</numerusform>
        </translation>
    </message>
</context>
</TS>
